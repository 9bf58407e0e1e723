// An in-memory FileService for the HTTP layer's unit tests only: it mirrors the contract's
// observable behaviour (path rules, versions, ranges, cursors, error codes) so the tests can
// check what the API sends and receives. Bytes are held in memory, which is fine for tests.
import { createHash } from 'node:crypto'
import { JadfsError } from '../../src/errors.js'
import type {
  ByteRange, ChunkReadHandle, FileListing, FileReadHandle, FileRecord, FileService, GcReport,
  ListFilesOptions, NodeStatus, PutFileOptions
} from '../../src/files/file-service.js'

const MAX_PATH_BYTES = 1024
const CID_PATTERN = /^b[a-z2-7]{58}$/

export interface PutCall {
  readonly path: string
  readonly options: PutFileOptions
  readonly bytes: number
  readonly aborted: boolean
}

export class FakeFileService implements FileService {
  readonly files = new Map<string, { record: FileRecord, bytes: Buffer }>()
  readonly chunks = new Map<string, Buffer>()
  readonly putCalls: PutCall[] = []
  readonly paths: string[] = []
  corruptChunkIndex: number | undefined
  gcCalls = 0
  /** bytes per piece of a read body (small, so corruption can strike mid-body) */
  readPieceBytes = 4
  /** how long putFile waits before taking each piece of the body, as a busy store would */
  putPullDelayMs = 0

  async putFile (path: string, body: AsyncIterable<Uint8Array>, options: PutFileOptions = {}): Promise<FileRecord> {
    this.paths.push(path)
    const normalised = validatePath(path)
    const pieces: Buffer[] = []
    let total = 0
    try {
      for await (const piece of body) {
        if (this.putPullDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.putPullDelayMs))
        pieces.push(Buffer.from(piece))
        total += piece.byteLength
        options.signal?.throwIfAborted()
      }
    } catch (err) {
      this.putCalls.push({ path, options, bytes: total, aborted: true })
      throw new JadfsError('UPLOAD_INCOMPLETE', 'the client disconnected', { cause: err })
    }
    this.putCalls.push({ path, options, bytes: total, aborted: options.signal?.aborted ?? false })
    const bytes = Buffer.concat(pieces)
    if (options.expectedSizeBytes !== undefined && bytes.length !== options.expectedSizeBytes) {
      throw new JadfsError('UPLOAD_INCOMPLETE', `expected ${options.expectedSizeBytes} bytes, got ${bytes.length}`)
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (options.expectedSha256 !== undefined && options.expectedSha256 !== sha256) {
      throw new JadfsError('CHECKSUM_MISMATCH', 'the bytes do not match X-Jadfs-Sha256')
    }
    const chunkSizeBytes = options.chunkSizeBytes ?? 64 * 1024
    if (chunkSizeBytes < 64 * 1024 || chunkSizeBytes > 256 * 1024 * 1024) throw new JadfsError('INVALID_ARGUMENT', 'chunk size out of range')
    const existing = this.files.get(normalised)
    if (options.ifVersion !== undefined && options.ifVersion !== (existing?.record.version ?? 0)) {
      throw new JadfsError('PRECONDITION_FAILED', 'the file changed')
    }
    const chunks = []
    for (let at = 0; at < bytes.length; at += chunkSizeBytes) {
      const piece = bytes.subarray(at, at + chunkSizeBytes)
      const cid = fakeCid(piece)
      this.chunks.set(cid, piece)
      chunks.push({ cid, sizeBytes: piece.length })
    }
    const now = Date.now()
    const record: FileRecord = {
      path: normalised,
      sizeBytes: bytes.length,
      sha256,
      chunkSizeBytes,
      chunks,
      replication: { factor: options.replication?.factor ?? 3, mode: options.replication?.mode ?? 'sync' },
      createdAtMs: existing?.record.createdAtMs ?? now,
      modifiedAtMs: now,
      version: (existing?.record.version ?? 0) + 1
    }
    this.files.set(normalised, { record, bytes })
    return record
  }

  async statFile (path: string): Promise<FileRecord> {
    this.paths.push(path)
    return this.lookup(path).record
  }

  async readFile (path: string, options: { rangeHeader?: string } = {}): Promise<FileReadHandle> {
    this.paths.push(path)
    const { record, bytes } = this.lookup(path)
    const range = options.rangeHeader === undefined ? null : parseRange(options.rangeHeader, record.sizeBytes)
    const slice = range === null ? bytes : bytes.subarray(range.start, range.end + 1)
    const corruptAt = this.corruptChunkIndex
    const pieceBytes = this.readPieceBytes
    async function * body (): AsyncGenerator<Uint8Array> {
      for (let i = 0, at = 0; at < slice.length; i++, at += pieceBytes) {
        if (i === corruptAt) throw new JadfsError('CHUNK_CORRUPT', 'chunk failed its hash check')
        yield slice.subarray(at, at + pieceBytes)
      }
    }
    return { record, range, body: body() }
  }

  async deleteFile (path: string, options: { ifVersion?: number } = {}): Promise<FileRecord> {
    this.paths.push(path)
    const { record } = this.lookup(path)
    if (options.ifVersion !== undefined && options.ifVersion !== record.version) throw new JadfsError('PRECONDITION_FAILED', 'the file changed')
    this.files.delete(record.path)
    return record
  }

  async listFiles (options: ListFilesOptions = {}): Promise<FileListing> {
    const limit = options.limit ?? 100
    let after = ''
    if (options.cursor !== undefined) {
      const decoded = Buffer.from(options.cursor, 'base64url').toString('utf8')
      if (!decoded.startsWith('after:')) throw new JadfsError('INVALID_ARGUMENT', 'bad cursor')
      after = decoded.slice('after:'.length)
    }
    const all = [...this.files.keys()].sort().filter((p) => p.startsWith(options.prefix ?? '') && p > after)
    const page = all.slice(0, limit)
    const files = page.map((p) => (this.files.get(p) as { record: FileRecord }).record)
    const last = page[page.length - 1]
    return all.length > limit && last !== undefined ? { files, nextCursor: Buffer.from('after:' + last).toString('base64url') } : { files }
  }

  async readChunk (cid: string): Promise<ChunkReadHandle> {
    if (!CID_PATTERN.test(cid)) throw new JadfsError('INVALID_CID', `not a CID: ${cid.slice(0, 80)}`)
    const bytes = this.chunks.get(cid)
    if (bytes === undefined) throw new JadfsError('CHUNK_NOT_FOUND', `no chunk ${cid}`)
    async function * body (): AsyncGenerator<Uint8Array> { yield bytes as Buffer }
    return { cid, sizeBytes: bytes.length, body: body() }
  }

  async status (): Promise<NodeStatus> {
    let logicalBytes = 0
    for (const { record } of this.files.values()) logicalBytes += record.sizeBytes
    let physicalBytes = 0
    for (const bytes of this.chunks.values()) physicalBytes += bytes.length
    return {
      nodeId: 'fake',
      version: '0.0.0',
      uptimeMs: 1500,
      dataDir: '/nowhere',
      files: this.files.size,
      logicalBytes,
      physicalBytes,
      chunks: this.chunks.size,
      badChunks: 0,
      cachedChunks: 0,
      namespaceBytes: 0,
      namespaceLimitBytes: 1024,
      diskFreeBytes: 1e9,
      diskTotalBytes: 2e9,
      appliedIndex: this.putCalls.length
    }
  }

  async collectGarbage (): Promise<GcReport> {
    this.gcCalls++
    return { chunksRemoved: 2, cachedEvicted: 1, bytesFreed: 10, tempFilesRemoved: 1, durationMs: 3 }
  }

  private lookup (path: string): { record: FileRecord, bytes: Buffer } {
    const entry = this.files.get(validatePath(path))
    if (entry === undefined) throw new JadfsError('FILE_NOT_FOUND', `no file at ${path}`)
    return entry
  }
}

function validatePath (path: string): string {
  const fail = (why: string): never => { throw new JadfsError('INVALID_PATH', why) }
  if (!path.startsWith('/') || path === '/') fail('empty path')
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) fail('path too long')
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) fail('control character in path')
  const segments = path.slice(1).split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) fail('empty, "." or ".." segment')
  return path
}

function parseRange (header: string, size: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  const bad = (): never => { throw new JadfsError('INVALID_RANGE', `bad range ${header}`) }
  if (match === null || (match[1] === '' && match[2] === '')) return bad()
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || size === 0) return bad()
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return bad()
  return { start, end }
}

function fakeCid (bytes: Buffer): string {
  // 'b' + 58 base32 characters, the shape of a CIDv1 raw/sha2-256 string.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  const digest = createHash('sha256').update(bytes).digest()
  let out = 'b'
  for (let i = 0; i < 58; i++) out += alphabet[(digest[i % 32] as number + i) % 32]
  return out
}
