// Node-level routes: GET and HEAD /v1/health (liveness, for probes that send either; 503
// SHUTTING_DOWN while stopping, via the
// app's closing hook), GET /v1/status (NodeStatus), POST /v1/gc (collect garbage now with the
// configured grace period; returns the GcReport).
import type { FastifyInstance } from 'fastify'
import type { ApiDeps } from '../api-deps.js'

export function registerNodeRoutes (app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/health', async () => ({ status: 'ok' }))
  app.head('/v1/health', async (_request, reply) => { await reply.code(200).send() })
  app.get('/v1/status', async () => await deps.files.status())
  app.post('/v1/gc', async () => await deps.files.collectGarbage())
}
