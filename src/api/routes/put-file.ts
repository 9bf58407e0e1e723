// PUT /v1/files/<path>: streams the request body into the file service. Always 201 with the
// new file record: every successful PUT creates a new version (overwrites included), whose
// ETag is in the ETag header.
// Headers: Content-Length (declared size; a shorter body stores nothing), X-Jadfs-Sha256
// (claimed hash), If-Match (replace only this version), If-None-Match: * (create only).
// Query: chunkSize (64KiB..256MiB, e.g. 1MiB), replication (copies), mode (sync|async),
// allowFewer (sync with fewer live peers: keep what can be copied, record the rest as debt).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { parseSizeBytes } from '../../config/parse-size.js'
import { JadfsError } from '../../errors.js'
import type { PutFileOptions, ReplicationPolicy } from '../../files/file-service.js'
import { MAX_REPLICATION_FACTOR } from '../../files/replication-limit.js'
import type { ApiDeps } from '../api-deps.js'
import { invalidArgument } from '../error-reply.js'
import { booleanQueryParam, queryParam } from '../query-param.js'
import { etagOf, versionFromIfMatch } from '../etag.js'
import { fileLocation, filePathFromUrl } from '../file-path.js'
import { watchUploadIdle } from '../client-idle.js'
import { clientGoneSignal } from '../request-signal.js'

export function registerPutFileRoute (app: FastifyInstance, deps: ApiDeps): void {
  app.put('/v1/files/*', { bodyLimit: Math.min(deps.maxFileSizeBytes, Number.MAX_SAFE_INTEGER) }, async (request, reply) => {
    const filePath = filePathFromUrl(request.raw.url ?? '')
    const options = putOptions(request, deps.maxFileSizeBytes)
    const signal = clientGoneSignal(request.raw, reply.raw)
    const body = request.body !== undefined && request.body !== null ? request.body as AsyncIterable<Uint8Array> : request.raw
    // The body goes to the store as the request stream itself: an extra async-iteration
    // layer per 64 KiB socket read costs measurable upload throughput, so bytes in are
    // counted from the stored record instead.
    const stopIdleWatch = watchUploadIdle(request.raw, deps.clientIdleTimeoutMs)
    let record
    try {
      record = await deps.files.putFile(filePath, body, { ...options, signal })
    } finally {
      stopIdleWatch()
    }
    deps.metrics.addBytesIn(record.sizeBytes)
    return await reply.code(201)
      .header('etag', etagOf(record))
      .header('location', fileLocation(record.path))
      .send(record)
  })
}

function putOptions (request: FastifyRequest, maxFileSizeBytes: number): Omit<PutFileOptions, 'signal'> {
  const headers = request.raw.headers
  const options: { -readonly [K in keyof PutFileOptions]: PutFileOptions[K] } = {}

  const length = headers['content-length']
  if (length !== undefined) {
    const bytes = Number(length)
    if (!/^\d+$/.test(length) || !Number.isSafeInteger(bytes)) throw invalidArgument('Content-Length is not a byte count')
    if (bytes > maxFileSizeBytes) throw new JadfsError('PAYLOAD_TOO_LARGE', `the upload declares ${bytes} bytes; the limit is ${maxFileSizeBytes}`)
    options.expectedSizeBytes = bytes
  }
  const sha = headers['x-jadfs-sha256']
  if (sha !== undefined) {
    if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha)) throw invalidArgument('X-Jadfs-Sha256 must be 64 hex digits')
    options.expectedSha256 = sha.toLowerCase()
  }
  const ifMatch = headers['if-match']
  const ifNoneMatch = headers['if-none-match']
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw invalidArgument('use either If-Match or If-None-Match, not both')
  if (ifMatch !== undefined) options.ifVersion = versionFromIfMatch(ifMatch)
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw invalidArgument('on PUT, If-None-Match accepts only * (create, never replace)')
    options.ifVersion = 0
  }

  const chunkSize = queryParam(request, 'chunkSize')
  if (chunkSize !== undefined) {
    const bytes = parseSizeBytes(chunkSize)
    if (bytes === undefined) throw invalidArgument(`chunkSize ${JSON.stringify(chunkSize)} is not a size like 1MiB or 1048576`)
    options.chunkSizeBytes = bytes
  }
  const replication: { factor?: number, mode?: ReplicationPolicy['mode'] } = {}
  const factorText = queryParam(request, 'replication')
  if (factorText !== undefined) {
    const factor = Number(factorText)
    if (!/^\d+$/.test(factorText) || factor < 1 || factor > MAX_REPLICATION_FACTOR) {
      throw invalidArgument(`replication must be a whole number from 1 to ${MAX_REPLICATION_FACTOR}`)
    }
    replication.factor = factor
  }
  const mode = queryParam(request, 'mode')
  if (mode !== undefined) {
    if (mode !== 'sync' && mode !== 'async') throw invalidArgument('mode must be sync or async')
    replication.mode = mode
  }
  if (replication.factor !== undefined || replication.mode !== undefined) options.replication = replication
  if (booleanQueryParam(request, 'allowFewer')) options.allowFewer = true
  return options
}
