// The CLI's HTTP client for the daemon API (global fetch, i.e. undici). Every call runs
// under an idle watchdog (connect, headers and body progress) and an optional caller
// signal; bodies stream both ways with backpressure; API errors come back as JadfsError
// with the daemon's code and message.
import { Readable } from 'node:stream'
import { ERROR_CODES, JadfsError, isJadfsError, type ErrorCode } from '../errors.js'
import type { FileListing, FileRecord, GcReport, NodeStatus } from '../files/file-service.js'
import type { ClusterView, MembershipView, PeerIdView } from '../api/cluster-view.js'
import { fileUrlPath } from '../api/file-path.js'
import { startIdleWatchdog, type IdleWatchdog } from './idle-watchdog.js'
import { networkError } from './network-error.js'

export interface ApiClientInit {
  /** e.g. http://127.0.0.1:5080 */
  readonly baseUrl: string
  /** a transfer with no progress for this long is aborted with TIMEOUT */
  readonly idleTimeoutMs: number
  /** sent as Authorization: Bearer on every request (a daemon with --api-token-file) */
  readonly apiToken?: string
  readonly fetch?: typeof fetch
}

export interface PutOptions {
  readonly sizeBytes?: number
  readonly chunkSize?: string
  readonly replication?: number
  readonly mode?: string
  /** in sync mode, store fewer copies than asked for when fewer peers are alive */
  readonly allowFewer?: boolean
  readonly onProgress?: (bytes: number) => void
  readonly signal?: AbortSignal
}

export interface OpenedFile {
  readonly status: number
  readonly sizeBytes: number
  /** offset of the first body byte in the file (0 unless a range was served) */
  readonly rangeStart: number
  /** body length announced by Content-Length */
  readonly contentLength: number
  readonly sha256: string | undefined
  readonly body: AsyncIterable<Uint8Array>
  /** call when done with the body (success or not) to stop the watchdog */
  close (): void
}

/** reads that may be answered from the peer's local copy, without a ReadIndex round */
export interface ReadOptions {
  readonly stale?: boolean
}

interface CallOptions {
  readonly method: string
  readonly path: string
  readonly headers?: Record<string, string>
  /** a stream, or a small JSON text sent whole */
  readonly body?: AsyncIterable<Uint8Array> | string
  readonly signal?: AbortSignal
}

export class ApiClient {
  readonly baseUrl: string
  private readonly idleTimeoutMs: number
  private readonly fetchFn: typeof fetch
  private readonly apiToken: string | undefined

  constructor (init: ApiClientInit) {
    this.baseUrl = init.baseUrl.replace(/\/+$/, '')
    this.idleTimeoutMs = init.idleTimeoutMs
    this.fetchFn = init.fetch ?? fetch
    this.apiToken = init.apiToken
  }

  async putFile (remotePath: string, body: AsyncIterable<Uint8Array>, options: PutOptions = {}): Promise<FileRecord> {
    const query = new URLSearchParams()
    if (options.chunkSize !== undefined) query.set('chunkSize', options.chunkSize)
    if (options.replication !== undefined) query.set('replication', String(options.replication))
    if (options.mode !== undefined) query.set('mode', options.mode)
    if (options.allowFewer === true) query.set('allowFewer', '1')
    const qs = query.size > 0 ? `?${query.toString()}` : ''
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    if (options.sizeBytes !== undefined) headers['content-length'] = String(options.sizeBytes)
    return await this.json<FileRecord>({ method: 'PUT', path: fileUrlPath(remotePath) + qs, headers, body, signal: options.signal }, options.onProgress)
  }

  /** the same client for another daemon (e.g. the leader a NOT_LEADER answer named) */
  at (baseUrl: string): ApiClient {
    return new ApiClient({ baseUrl, idleTimeoutMs: this.idleTimeoutMs, fetch: this.fetchFn, ...(this.apiToken === undefined ? {} : { apiToken: this.apiToken }) })
  }

  async openFile (remotePath: string, options: ReadOptions & { range?: string, signal?: AbortSignal } = {}): Promise<OpenedFile> {
    const headers: Record<string, string> = {}
    if (options.range !== undefined) headers.range = options.range
    const qs = options.stale === true ? '?stale=1' : ''
    const { response, watchdog } = await this.call({ method: 'GET', path: fileUrlPath(remotePath) + qs, headers, signal: options.signal })
    const contentRange = /^bytes (\d+)-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '')
    const total = contentRange?.[2] ?? response.headers.get('content-length') ?? '0'
    const body = response.body
    return {
      status: response.status,
      sizeBytes: Number(total),
      rangeStart: Number(contentRange?.[1] ?? '0'),
      contentLength: Number(response.headers.get('content-length') ?? '0'),
      sha256: response.headers.get('x-jadfs-sha256') ?? undefined,
      body: body === null ? emptyBody() : touching(body, watchdog, this.baseUrl),
      close: () => { watchdog.stop() }
    }
  }

  async statFile (remotePath: string, options: ReadOptions = {}): Promise<FileRecord> {
    return await this.json({ method: 'GET', path: `${fileUrlPath(remotePath)}?meta${options.stale === true ? '&stale=1' : ''}` })
  }

  async deleteFile (remotePath: string): Promise<FileRecord> {
    return await this.json({ method: 'DELETE', path: fileUrlPath(remotePath) })
  }

  async listFiles (options: ReadOptions & { prefix?: string, limit?: number, cursor?: string } = {}): Promise<FileListing> {
    const query = new URLSearchParams()
    if (options.prefix !== undefined) query.set('prefix', options.prefix)
    if (options.limit !== undefined) query.set('limit', String(options.limit))
    if (options.cursor !== undefined) query.set('cursor', options.cursor)
    if (options.stale === true) query.set('stale', '1')
    return await this.json({ method: 'GET', path: `/v1/files?${query.toString()}` })
  }

  async status (): Promise<NodeStatus> {
    return await this.json({ method: 'GET', path: '/v1/status' })
  }

  async collectGarbage (): Promise<GcReport> {
    return await this.json({ method: 'POST', path: '/v1/gc' })
  }

  async health (): Promise<{ status: string }> {
    return await this.json({ method: 'GET', path: '/v1/health' })
  }

  async id (): Promise<PeerIdView> {
    return await this.clusterJson({ method: 'GET', path: '/v1/id' })
  }

  async cluster (): Promise<ClusterView> {
    return await this.clusterJson({ method: 'GET', path: '/v1/cluster' })
  }

  /** promotes a learner to voter (leader only: elsewhere NOT_LEADER) */
  async addVoter (peerId: string): Promise<MembershipView> {
    return await this.clusterJson({ method: 'POST', path: '/v1/cluster/voters', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ peerId }) })
  }

  /** removes a peer from the configuration (leader only: elsewhere NOT_LEADER) */
  async removeVoter (peerId: string): Promise<MembershipView> {
    return await this.clusterJson({ method: 'DELETE', path: `/v1/cluster/voters/${encodeURIComponent(peerId)}` })
  }

  /** a cluster route; a daemon without it (single node, older) is named as such, code unchanged */
  private async clusterJson<T> (options: CallOptions): Promise<T> {
    try {
      return await this.json<T>(options)
    } catch (err) {
      if (!isJadfsError(err, 'ROUTE_NOT_FOUND')) throw err
      throw new JadfsError('ROUTE_NOT_FOUND', `the daemon at ${this.baseUrl} has no ${options.method} ${options.path.split('/').slice(0, 4).join('/')}: it is a single-node jadfs, older than the cluster API`, { cause: err, details: err.details })
    }
  }

  private async json<T> (options: CallOptions, onProgress?: (bytes: number) => void): Promise<T> {
    const { response, watchdog } = await this.call(options, onProgress)
    try {
      return await response.json() as T
    } catch (err) {
      throw networkError(err, this.baseUrl, watchdog.signal)
    } finally {
      watchdog.stop()
    }
  }

  private async call (options: CallOptions, onProgress?: (bytes: number) => void): Promise<{ response: Response, watchdog: IdleWatchdog }> {
    const watchdog = startIdleWatchdog(this.idleTimeoutMs, `${options.method} ${this.baseUrl}`, options.signal)
    let response: Response
    try {
      const headers = this.apiToken === undefined ? options.headers : { ...options.headers, authorization: `Bearer ${this.apiToken}` }
      const init: RequestInit & { duplex?: 'half' } = { method: options.method, headers, signal: watchdog.signal }
      if (typeof options.body === 'string') {
        init.body = options.body
      } else if (options.body !== undefined) {
        // A web stream body moves bytes through undici with less per-piece overhead than an
        // async iterable does.
        init.body = Readable.toWeb(Readable.from(progressing(options.body, watchdog, onProgress))) as ReadableStream<Uint8Array>
        // Streams the request body instead of buffering it (required by fetch for streams).
        init.duplex = 'half'
      }
      response = await this.fetchFn(this.baseUrl + options.path, init)
    } catch (err) {
      watchdog.stop()
      throw networkError(err, this.baseUrl, watchdog.signal)
    }
    if (!response.ok) {
      watchdog.touch()
      const error = await apiError(response).finally(() => { watchdog.stop() })
      throw error
    }
    return { response, watchdog }
  }
}

async function apiError (response: Response): Promise<JadfsError> {
  const text = await response.text().catch(() => '')
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown, message?: unknown, details?: unknown } }
    const code = parsed.error?.code
    const message = parsed.error?.message
    if (typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) && typeof message === 'string') {
      // The daemon's details (e.g. the leader a NOT_LEADER answer names) are kept for callers.
      const details = typeof parsed.error?.details === 'object' && parsed.error.details !== null ? parsed.error.details as Record<string, unknown> : {}
      return new JadfsError(code as ErrorCode, message, { details: { ...details, httpStatus: response.status } })
    }
  } catch {
    // Not our error shape (a proxy, another server on that port): reported below.
  }
  return new JadfsError('INTERNAL', `unexpected HTTP ${response.status} from the daemon: ${text.slice(0, 200)}`)
}

async function * progressing (source: AsyncIterable<Uint8Array>, watchdog: IdleWatchdog, onProgress?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    watchdog.touch()
    onProgress?.(piece.byteLength)
    yield piece
  }
}

async function * touching (body: ReadableStream<Uint8Array>, watchdog: IdleWatchdog, baseUrl: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const piece of body) {
      watchdog.touch()
      yield piece
    }
  } catch (err) {
    throw networkError(err, baseUrl, watchdog.signal)
  } finally {
    watchdog.stop()
  }
}

async function * emptyBody (): AsyncGenerator<Uint8Array> {}
