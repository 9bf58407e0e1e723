// Node-level routes: GET and HEAD /v1/health (liveness, for probes that send either; 503
// SHUTTING_DOWN while stopping, via the
// app's closing hook), GET /v1/status (NodeStatus), POST /v1/gc (collect garbage now with the
// configured grace period; returns the GcReport).
import type { FastifyInstance } from 'fastify'
import type { ApiDeps } from '../api-deps.js'

/** route config of routes answered without the API token: a liveness probe has none */
export const OPEN_ROUTE = { openWithoutToken: true }

export function registerNodeRoutes (app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/health', { exposeHeadRoute: true, config: OPEN_ROUTE }, async () => ({ status: 'ok' }))
  app.get('/v1/status', async () => await deps.files.status())
  app.post('/v1/gc', async () => await deps.files.collectGarbage())
}
