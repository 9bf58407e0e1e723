// GET /v1/chunks/<cid>: the raw bytes of one chunk, re-hashed by the store before they are
// served; a cluster peer without a copy fetches one from a holder first. The CID is validated
// by the store (INVALID_CID).
import type { FastifyInstance } from 'fastify'
import { JadfsError } from '../../errors.js'
import type { ApiDeps } from '../api-deps.js'
import { downloadBody } from '../byte-meter.js'
import { watchDownloadIdle } from '../client-idle.js'
import { clientGoneSignal } from '../request-signal.js'

const CHUNKS_PREFIX = '/v1/chunks/'

export function registerReadChunkRoute (app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/chunks/*', async (request, reply) => {
    const cid = chunkIdFromUrl(request.raw.url ?? '')
    const handle = await deps.files.readChunk(cid, { signal: clientGoneSignal(request.raw, reply.raw) })
    const iterator = handle.body[Symbol.asyncIterator]()
    const first = await iterator.next()
    reply.header('content-type', 'application/octet-stream')
    reply.header('content-length', String(handle.sizeBytes))
    // A chunk never changes under its id.
    reply.header('etag', `"${handle.cid}"`)
    reply.header('cache-control', 'public, max-age=31536000, immutable')
    watchDownloadIdle(reply.raw, deps.clientIdleTimeoutMs)
    return await reply.code(200).send(downloadBody(first, iterator, deps.metrics.addBytesOut, reply.raw))
  })
}

function chunkIdFromUrl (rawUrl: string): string {
  const queryAt = rawUrl.indexOf('?')
  const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)
  try {
    return decodeURIComponent(pathname.slice(CHUNKS_PREFIX.length))
  } catch {
    throw new JadfsError('INVALID_CID', 'the chunk id is not valid percent-encoded text')
  }
}
