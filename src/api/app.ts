// Builds the HTTP API as a Fastify instance around an injected FileService, logger and
// metrics registry; it does not listen, so tests drive it with app.inject() and the node
// decides where to listen.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Registry } from 'prom-client'
import { JadfsError } from '../errors.js'
import type { FileService } from '../files/file-service.js'
import { createApiMetrics } from '../metrics/api-metrics.js'
import type { ClusterControl } from '../cluster/cluster-control.js'
import type { ApiDeps } from './api-deps.js'
import { carriesApiToken } from './api-token.js'
import { registerClusterRoutes } from './routes/cluster-routes.js'
import { mapError } from './error-reply.js'
import { registerDeleteFileRoute } from './routes/delete-file.js'
import { registerListFilesRoute } from './routes/list-files.js'
import { registerMetricsRoute } from './routes/metrics-route.js'
import { registerNodeRoutes } from './routes/node-routes.js'
import { registerPutFileRoute } from './routes/put-file.js'
import { registerReadChunkRoute } from './routes/read-chunk.js'
import { registerReadFileRoutes } from './routes/read-file.js'
import { DEFAULT_CLIENT_IDLE_TIMEOUT_MS } from './client-idle.js'

export interface ApiAppInit {
  readonly files: FileService
  readonly logger: FastifyBaseLogger
  readonly metricsRegistry: Registry
  /** largest accepted upload; also Fastify's body limit, which must never cap uploads below it */
  readonly maxFileSizeBytes: number
  /** cluster routes (/v1/id, /v1/cluster, voters); absent on a node without a cluster */
  readonly cluster?: ClusterControl
  /** how long a client may send nothing mid-upload or take nothing mid-download @default DEFAULT_CLIENT_IDLE_TIMEOUT_MS */
  readonly clientIdleTimeoutMs?: number
  /** when set, every request but the liveness probe must carry it (Authorization: Bearer) */
  readonly apiToken?: string
}

/** header and URL limits: paths are validated by the store, but nothing unbounded is parsed */
const MAX_URL_PARAM_CHARS = 16 * 1024

/** a route a client without the API token may call (see OPEN_ROUTE) */
function isOpenRoute (config: unknown): boolean {
  return (config as { openWithoutToken?: boolean } | undefined)?.openWithoutToken === true
}

export function buildApiApp (init: ApiAppInit): FastifyInstance {
  const app = Fastify({
    loggerInstance: init.logger,
    // HEAD routes are explicit: the GET handlers would otherwise open and stream the file.
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: MAX_URL_PARAM_CHARS },
    bodyLimit: Math.min(init.maxFileSizeBytes, Number.MAX_SAFE_INTEGER),
    // New requests during shutdown get SHUTTING_DOWN in our error shape (hook below).
    return503OnClosing: false,
    // Only idle keep-alive connections are closed on shutdown; in-flight requests finish.
    forceCloseConnections: 'idle',
    // Requests Node's HTTP parser rejects never reach Fastify: answer them in the same shape.
    clientErrorHandler: (err, socket) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ECONNRESET' || !socket.writable) {
        socket.destroy()
        return
      }
      const tooLarge = code === 'HPE_HEADER_OVERFLOW'
      const body = JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: tooLarge ? 'request headers are too large' : 'malformed HTTP request' } })
      socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    },
    // Errors raised before routing (a URL that is not valid percent-encoding) get the same
    // shape and the code of what the URL names.
    frameworkErrors: (err, request, reply) => {
      const url = request.raw.url ?? ''
      const code = err.code !== 'FST_ERR_BAD_URL' ? undefined : url.startsWith('/v1/chunks/') ? 'INVALID_CID' : url.startsWith('/v1/files') ? 'INVALID_PATH' : undefined
      const mapped = mapError(code === undefined ? err : new JadfsError(code, 'the URL is not valid percent-encoded UTF-8'))
      void (reply as FastifyReply).code(mapped.status).send(mapped.body)
    }
  })
  const deps: ApiDeps = {
    files: init.files,
    metrics: createApiMetrics(init.metricsRegistry),
    maxFileSizeBytes: init.maxFileSizeBytes,
    clientIdleTimeoutMs: init.clientIdleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS
  }

  // Every body reaches its route as the raw stream, whatever its content type: uploads are
  // streamed into the store and never buffered or parsed.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })

  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  app.addHook('onRequest', async (request, reply) => {
    if (closing) throw new JadfsError('SHUTTING_DOWN', 'the node is stopping')
    const token = init.apiToken
    if (token === undefined || isOpenRoute(request.routeOptions.config)) return
    const authorization = request.headers.authorization
    if (carriesApiToken(authorization, token)) return
    // Not `Connection: close`, though an upload refused here is then read and dropped: a client
    // still sending its body would see the connection cut instead of this answer.
    reply.header('www-authenticate', 'Bearer')
    throw new JadfsError('UNAUTHORIZED', authorization === undefined
      ? 'this daemon requires an API token: give the client its token file (--api-token-file FILE or JADFS_API_TOKEN_FILE)'
      : 'the API token does not match this daemon\'s (Authorization: Bearer <token>, the contents of its --api-token-file)')
  })
  app.addHook('onSend', async (_request, reply) => {
    // Requests that were in flight when shutdown began: close their connection after the
    // response instead of leaving it idle in keep-alive, which would hold shutdown open.
    if (closing) reply.header('connection', 'close')
  })
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode
    }, reply.elapsedTime / 1000)
  })

  app.setErrorHandler(async (err, request, reply) => {
    const mapped = mapError(err)
    if (mapped.unexpected) {
      request.log.error({ err }, 'request failed unexpectedly')
    } else {
      request.log.info({ code: mapped.body.error.code, message: mapped.body.error.message }, 'request rejected')
    }
    if (reply.sent || reply.raw.headersSent) {
      // The body already started: the only honest signal left is to cut the connection.
      reply.raw.destroy()
      return
    }
    // Headers set for a success response (ETag, Content-Length) do not describe an error.
    for (const name of ['etag', 'content-length', 'last-modified', 'accept-ranges', 'x-jadfs-sha256', 'x-jadfs-version', 'location']) {
      reply.removeHeader(name)
    }
    return await reply.code(mapped.status).header('content-type', 'application/json; charset=utf-8').send(mapped.body)
  })
  app.setNotFoundHandler(async (request, reply) => {
    const mapped = mapError(new JadfsError('ROUTE_NOT_FOUND', `no route for ${request.method} ${(request.raw.url ?? '').split('?')[0] ?? ''}`))
    return await reply.code(mapped.status).send(mapped.body)
  })

  registerPutFileRoute(app, deps)
  registerReadFileRoutes(app, deps)
  registerDeleteFileRoute(app, deps)
  registerListFilesRoute(app, deps)
  registerReadChunkRoute(app, deps)
  registerNodeRoutes(app, deps)
  registerMetricsRoute(app, init.metricsRegistry)
  if (init.cluster !== undefined) registerClusterRoutes(app, init.cluster)
  return app
}
