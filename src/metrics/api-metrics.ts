// HTTP metrics for Prometheus: requests and durations by method, route template and
// status, and bytes moved through file bodies. Registered on an injected registry so each
// app (and each test) has its own.
import { Counter, Histogram, type Registry } from 'prom-client'

export interface ApiMetrics {
  observeRequest (labels: { method: string, route: string, status: number }, durationSeconds: number): void
  addBytesIn (bytes: number): void
  addBytesOut (bytes: number): void
}

export function createApiMetrics (registry: Registry): ApiMetrics {
  const requests = new Counter({
    name: 'jadfs_http_requests_total',
    help: 'HTTP requests handled, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry]
  })
  const durations = new Histogram({
    name: 'jadfs_http_request_duration_seconds',
    help: 'HTTP request duration from arrival to response end',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60, 300],
    registers: [registry]
  })
  const bytesIn = new Counter({
    name: 'jadfs_http_received_bytes_total',
    help: 'File body bytes received by uploads',
    registers: [registry]
  })
  const bytesOut = new Counter({
    name: 'jadfs_http_sent_bytes_total',
    help: 'File and chunk body bytes sent by downloads',
    registers: [registry]
  })
  return {
    observeRequest (labels, durationSeconds) {
      const l = { method: labels.method, route: labels.route, status: String(labels.status) }
      requests.inc(l)
      durations.observe(l, durationSeconds)
    },
    addBytesIn (bytes) { bytesIn.inc(bytes) },
    addBytesOut (bytes) { bytesOut.inc(bytes) }
  }
}
