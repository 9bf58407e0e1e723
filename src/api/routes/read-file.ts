// GET and HEAD /v1/files/<path>.
// GET streams the file (or one Range: 206 + Content-Range; 416 + Content-Range: bytes */size
// when unsatisfiable); If-None-Match answers 304 without reading chunks. GET with ?meta
// returns the file record as JSON instead of the bytes (used by `jadfs stat`).
// The first piece of the body is pulled before the status line is sent, so a corrupt first
// chunk is a clean JSON error; corruption found later can only cut the body short (the
// client sees fewer bytes than Content-Length), never send wrong bytes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isJadfsError } from '../../errors.js'
import type { FileReadHandle } from '../../files/file-service.js'
import type { ApiDeps } from '../api-deps.js'
import { downloadBody } from '../byte-meter.js'
import { noneMatchHits } from '../etag.js'
import { setFileHeaders } from '../file-headers.js'
import { filePathFromUrl } from '../file-path.js'
import { booleanQueryParam, hasQueryFlag } from '../query-param.js'
import { watchDownloadIdle } from '../client-idle.js'
import { clientGoneSignal } from '../request-signal.js'

export function registerReadFileRoutes (app: FastifyInstance, deps: ApiDeps): void {
  app.head('/v1/files/*', async (request, reply) => {
    const record = await deps.files.statFile(filePathFromUrl(request.raw.url ?? ''), { stale: booleanQueryParam(request, 'stale') })
    setFileHeaders(reply, record)
    reply.header('content-type', 'application/octet-stream')
    reply.header('content-length', String(record.sizeBytes))
    return await reply.code(200).send()
  })

  app.get('/v1/files/*', async (request, reply) => {
    const filePath = filePathFromUrl(request.raw.url ?? '')
    const stale = booleanQueryParam(request, 'stale')
    if (hasQueryFlag(request, 'meta')) {
      const record = await deps.files.statFile(filePath, { stale })
      setFileHeaders(reply, record)
      return await reply.send(record)
    }
    const ifNoneMatch = request.headers['if-none-match']
    if (ifNoneMatch !== undefined) {
      const record = await deps.files.statFile(filePath, { stale })
      if (noneMatchHits(ifNoneMatch, record)) {
        setFileHeaders(reply, record)
        return await reply.code(304).send()
      }
    }
    const handle = await openForRead(deps, filePath, request, reply)
    const iterator = handle.body[Symbol.asyncIterator]()
    const first = await iterator.next()
    const { record, range } = handle
    setFileHeaders(reply, record)
    reply.header('content-type', 'application/octet-stream')
    if (range !== null) {
      reply.code(206)
      reply.header('content-range', `bytes ${range.start}-${range.end}/${record.sizeBytes}`)
      reply.header('content-length', String(range.end - range.start + 1))
    } else {
      reply.code(200)
      reply.header('content-length', String(record.sizeBytes))
    }
    watchDownloadIdle(reply.raw, deps.clientIdleTimeoutMs)
    return await reply.send(downloadBody(first, iterator, deps.metrics.addBytesOut, reply.raw))
  })
}

async function openForRead (deps: ApiDeps, filePath: string, request: FastifyRequest, reply: FastifyReply): Promise<FileReadHandle> {
  const rangeHeader = request.headers.range
  try {
    return await deps.files.readFile(filePath, { rangeHeader, stale: booleanQueryParam(request, 'stale'), signal: clientGoneSignal(request.raw, reply.raw) })
  } catch (err) {
    if (isJadfsError(err, 'INVALID_RANGE')) {
      // RFC 9110 §15.5.17: tell the client the current length so it can retry sensibly.
      const record = await deps.files.statFile(filePath, { stale: true }).catch(() => undefined)
      if (record !== undefined) reply.header('content-range', `bytes */${record.sizeBytes}`)
    }
    throw err
  }
}
