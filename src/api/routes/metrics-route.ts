// GET /metrics: Prometheus text exposition of the injected registry.
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

export function registerMetricsRoute (app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics()
    return await reply.header('content-type', registry.contentType).send(text)
  })
}
