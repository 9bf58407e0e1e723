// The single-node FileService: composes the chunk store, the namespace state machine and the
// put/read pipelines over one data directory. Namespace commands get their log index here
// (applied_index + 1); in a cluster, a Raft log assigns it and this apply moves behind it.
import { SqliteError } from 'better-sqlite3'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { parseChunkCid } from '../chunk/cid.js'
import { validateChunkSizeBytes } from '../chunk/chunk-size.js'
import { JadfsError } from '../errors.js'
import { namespaceCommandSchema, type NamespaceCommand } from '../namespace/commands.js'
import { normalisePath, normalisePrefix } from '../namespace/path.js'
import { NamespaceStateMachine, type ApplyResult } from '../namespace/state-machine.js'
import type { ChunkFs } from '../store/chunk-fs.js'
import type { ClusterHooks } from './cluster-hooks.js'
import { ChunkFileStore } from '../store/chunk-file-store.js'
import { ChunkHashWorkerPool } from '../store/chunk-hash-worker-pool.js'
import { ChunkIndex } from '../store/chunk-index.js'
import { ChunkStore } from '../store/chunk-store.js'
import { openDatabase } from '../store/database.js'
import { collectGarbage, evictCachedForRoom, type GarbageCollectorComponents } from '../store/garbage-collector.js'
import { DiskRoom } from '../store/disk-room.js'
import { KeyedLock } from '../store/keyed-lock.js'
import { PinSet } from '../store/pin-set.js'
import { readDiskSpace } from '../store/disk-space.js'
import { toStorageError } from '../store/storage-error.js'
import { formatBytes } from '../config/parse-size.js'
import { assert } from '../util/assert.js'
import type {
  ChunkReadHandle, ChunkRef, FileListing, FileReadHandle, FileRecord, GcOptions, GcReport, ListFilesOptions,
  LocalFileService, LocalFileServiceInit, NodeStatus, PutFileOptions, ReadOptions
} from './file-service.js'
import { decodeCursor, encodeCursor, resolveLimit } from './listing.js'
import { optionalCount, resolvePutOptions } from './put-options.js'
import { putFile } from './put-pipeline.js'
import { parseRangeHeader } from './range.js'
import { chunkSpans, streamChunks, verifyFirstChunk, type ReadPipelineComponents } from './read-pipeline.js'
import { DEFAULT_LEASE_IDLE_MS } from './verified-handle-lease.js'

/** the local service plus its namespace state machine and chunk store, for a cluster to drive */
export interface LocalFileServiceWithNamespace extends LocalFileService {
  readonly namespace: NamespaceStateMachine
  readonly chunkStore: ChunkStore
  readonly chunkIndex: ChunkIndex
  /**
   * Claims room for a chunk about to be written (see DiskRoom), evicting cached copies if it
   * does not fit: the release, or NO_SPACE saying what is free and kept, and for `what`.
   * `signal` ends the wait (with its reason), giving back a claim decided meanwhile.
   */
  claimRoom: (bytes: number, what: string, signal?: AbortSignal) => Promise<() => void>
}

/** test seams; production uses the defaults */
export interface LocalFileServiceComponents {
  readonly chunkFs?: ChunkFs
  readonly nowMs?: () => number
  /** how long readFile()'s verified first chunk waits for the body to be pulled */
  readonly firstChunkLeaseMs?: number
  /** a cluster's Raft log, replication and remote reads; none: a single node */
  readonly cluster?: ClusterHooks
  /** free bytes for chunks' room (see DiskRoom); by default the data dir's file system, asked */
  readonly freeBytes?: () => Promise<number>
}

export async function openLocalFileService (init: LocalFileServiceInit, components: LocalFileServiceComponents = {}): Promise<LocalFileServiceWithNamespace> {
  try {
    validateChunkSizeBytes(init.chunkSizeBytes)
  } catch (err) {
    throw new JadfsError('INVALID_CONFIG', `default ${(err as Error).message}`, { cause: err })
  }
  if (!Number.isSafeInteger(init.gcGraceMs) || init.gcGraceMs < 0) {
    throw new JadfsError('INVALID_CONFIG', `gc grace period must be a non-negative integer of milliseconds, got ${String(init.gcGraceMs)}`)
  }
  if (init.maxFileSizeBytes !== undefined && (!Number.isSafeInteger(init.maxFileSizeBytes) || init.maxFileSizeBytes < 0)) {
    throw new JadfsError('INVALID_CONFIG', `max file size must be a non-negative integer of bytes, got ${String(init.maxFileSizeBytes)}`)
  }
  const nowMs = components.nowMs ?? Date.now
  const files = new ChunkFileStore({ dataDir: init.dataDir, ...(components.chunkFs === undefined ? {} : { fs: components.chunkFs }) })
  await files.init()
  const db = openDatabase(join(init.dataDir, 'meta.sqlite'))
  try {
    const removed = await files.sweepTemp(nowMs() - init.gcGraceMs)
    if (removed > 0) init.logger?.info({ tempFilesRemoved: removed }, 'removed stale temp files at startup')
  } catch (err) {
    db.close()
    throw err
  }
  return new LocalFileServiceImpl(init, db, files, nowMs, components.firstChunkLeaseMs ?? DEFAULT_LEASE_IDLE_MS, components.cluster, components.freeBytes)
}

class LocalFileServiceImpl implements LocalFileServiceWithNamespace {
  private readonly index: ChunkIndex
  readonly namespace: NamespaceStateMachine
  readonly chunkStore: ChunkStore
  private readonly lock = new KeyedLock()
  private readonly pins = new PinSet()
  private readonly room: DiskRoom
  private readonly reader: ReadPipelineComponents
  private readonly startedAtMs: number
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly hashWorkers = new ChunkHashWorkerPool()
  private gcRunning: Promise<unknown> = Promise.resolve()
  private closing = false

  constructor (
    private readonly init: LocalFileServiceInit,
    private readonly db: ReturnType<typeof openDatabase>,
    private readonly files: ChunkFileStore,
    private readonly nowMs: () => number,
    leaseIdleMs: number,
    private readonly cluster: ClusterHooks | undefined,
    private readonly readFreeBytes: (() => Promise<number>) | undefined
  ) {
    this.index = new ChunkIndex(db)
    this.namespace = new NamespaceStateMachine({ db, chunks: this.index, nowMs, ...(init.maxNamespaceSnapshotBytes === undefined ? {} : { maxSnapshotBytes: init.maxNamespaceSnapshotBytes }) })
    this.chunkStore = new ChunkStore({
      files,
      index: this.index,
      lock: this.lock,
      pins: this.pins,
      nowMs,
      hashWorkers: this.hashWorkers,
      onCorrupt: (cid, why) => { init.logger?.error({ cid, why }, 'chunk failed its integrity check; marked bad') }
    })
    this.reader = { chunks: this.chunkStore, pins: this.pins, leaseIdleMs, isClosing: () => this.closing }
    this.room = new DiskRoom({
      reservedFreeBytes: init.reservedFreeBytes ?? 0,
      freeBytes: async () => await this.freeBytes(),
      // tracked: close() waits for an eviction under way before it closes the database
      evict: async (hasRoom) => await this.track(async () => {
        const result = await evictCachedForRoom(this.gcComponents(), hasRoom)
        if (result.chunksEvicted > 0) this.init.logger?.info(result, 'evicted cached copies to make room for a chunk')
      })
    })
    this.startedAtMs = nowMs()
  }

  get chunkIndex (): ChunkIndex {
    return this.index
  }

  async putFile (path: string, body: AsyncIterable<Uint8Array>, options: PutFileOptions = {}): Promise<FileRecord> {
    return await this.track(async () => {
      const normalised = normalisePath(path)
      const resolved = resolvePutOptions(options, this.init.chunkSizeBytes, this.init.defaultReplicationFactor)
      const cluster = this.cluster
      const replication = { policy: resolved.replication, explicitFactor: options.replication?.factor !== undefined, allowFewer: options.allowFewer === true }
      cluster?.checkReplication(replication)
      return await putFile({
        chunks: this.chunkStore,
        applyCommand: async (command) => await this.applyCommand(command, options.signal),
        ...(cluster === undefined ? {} : { replicateChunk: async (chunk) => { await cluster.replicateChunk(chunk, { ...replication, signal: options.signal }) }, onDiscarded: cluster.chunkRemoved }),
        // a put stops short of the reserve (cached copies go first)
        claimRoom: async (sizeBytes, signal) => await this.claimRoom(sizeBytes, 'another chunk of this put; nothing was stored', signal),
        currentVersion: (p) => this.namespace.get(p)?.version ?? 0,
        checkNamespaceRoom: (p, sizeBytes, chunkSizeBytes) => { this.namespace.checkRoomFor(p, sizeBytes, chunkSizeBytes) },
        maxFileSizeBytes: this.init.maxFileSizeBytes ?? Number.MAX_SAFE_INTEGER,
        nowMs: this.nowMs
      }, normalised, body, resolved, options.signal)
    })
  }

  async statFile (path: string, options: ReadOptions = {}): Promise<FileRecord> {
    this.checkOpen()
    const normalised = normalisePath(path)
    await this.readBarrier(options)
    return this.getRecord(normalised)
  }

  async readFile (path: string, options: ReadOptions & { rangeHeader?: string } = {}): Promise<FileReadHandle> {
    return await this.track(async () => {
      const normalised = normalisePath(path)
      await this.readBarrier(options)
      const record = this.getRecord(normalised)
      const range = parseRangeHeader(options.rangeHeader, record.sizeBytes)
      const spans = chunkSpans(record, range)
      const reader = this.readerFor(spans.map((s) => s.chunk), options.signal)
      const firstChunk = spans[0] === undefined ? null : await verifyFirstChunk(reader, spans[0].chunk)
      return { record, range, body: streamChunks(reader, spans, options.signal, firstChunk) }
    })
  }

  async deleteFile (path: string, options: { ifVersion?: number } = {}): Promise<FileRecord> {
    return await this.track(async () => {
      const normalised = normalisePath(path)
      const ifVersion = optionalCount(options.ifVersion, 'ifVersion')
      const result = await this.applyCommand({ type: 'deleteFile', path: normalised, ...(ifVersion === undefined ? {} : { ifVersion }) }, undefined)
      if (result.status === 'rejected') throw new JadfsError(result.code, result.message, { details: { path: normalised } })
      assert(result.status === 'applied' && result.command === 'deleteFile', 'a fresh index was not applied', result)
      return result.record
    })
  }

  async listFiles (options: ListFilesOptions = {}): Promise<FileListing> {
    this.checkOpen()
    const prefix = normalisePrefix(options.prefix)
    const limit = resolveLimit(options.limit)
    const after = options.cursor === undefined || options.cursor === '' ? undefined : decodeCursor(options.cursor)
    if (after !== undefined && !after.startsWith(prefix)) {
      throw new JadfsError('INVALID_ARGUMENT', 'cursor belongs to a listing with another prefix')
    }
    await this.readBarrier(options)
    const page = this.namespace.files.list(prefix, after, limit + 1)
    const files = page.slice(0, limit)
    const last = files[files.length - 1]
    return page.length > limit && last !== undefined ? { files, nextCursor: encodeCursor(last.path) } : { files }
  }

  async readChunk (cid: string, options: { signal?: AbortSignal } = {}): Promise<ChunkReadHandle> {
    return await this.track(async () => {
      const canonical = parseChunkCid(cid)
      // A cluster peer knows every chunk the namespace references (a row, 'absent' where it
      // holds no copy) and fetches it from a holder like a file read does; a chunk no file
      // references is not looked for.
      let row = this.index.get(canonical)
      if (row === undefined && this.cluster !== undefined) {
        // not known here yet may mean not applied here yet: ask once this peer is up to date
        await this.readBarrier(options)
        row = this.index.get(canonical)
      }
      if (row === undefined || (row.state === 'absent' && this.cluster === undefined)) {
        const where = this.cluster === undefined ? 'is not stored on this node' : 'is not part of any file in this cluster'
        throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${canonical} ${where}`, { details: { cid: canonical } })
      }
      const chunk = { cid: canonical, sizeBytes: row.sizeBytes }
      const reader = this.readerFor([chunk], options.signal)
      const verified = await verifyFirstChunk(reader, chunk)
      const spans = [{ chunk, fromByte: 0, toByteExclusive: chunk.sizeBytes }]
      return { cid: canonical, sizeBytes: chunk.sizeBytes, body: streamChunks(reader, spans, options.signal, verified) }
    })
  }

  async status (): Promise<NodeStatus> {
    this.checkOpen()
    const disk = await readDiskSpace(this.init.dataDir)
    const fileTotals = this.namespace.files.totals()
    const chunkTotals = this.index.totals()
    return {
      nodeId: this.init.nodeId ?? `local@${hostname()}`,
      version: this.init.version,
      uptimeMs: this.nowMs() - this.startedAtMs,
      dataDir: this.init.dataDir,
      files: fileTotals.files,
      logicalBytes: fileTotals.logicalBytes,
      physicalBytes: chunkTotals.physicalBytes,
      chunks: chunkTotals.chunks,
      badChunks: chunkTotals.badChunks,
      cachedChunks: chunkTotals.cachedChunks,
      diskFreeBytes: disk.freeBytes,
      diskTotalBytes: disk.totalBytes,
      appliedIndex: this.namespace.appliedIndex,
      namespaceBytes: this.namespace.snapshotBytes,
      namespaceLimitBytes: this.namespace.snapshotLimitBytes
    }
  }

  async claimRoom (bytes: number, what: string, signal?: AbortSignal): Promise<() => void> {
    this.checkOpen()
    const release = await this.room.claim(bytes, signal)
    if (release !== null) return release
    const reserve = this.init.reservedFreeBytes ?? 0
    // a refused claim has just read the free space
    const free = this.room.lastFreeBytes ?? await this.freeBytes()
    const claimed = this.room.claimed
    const kept = reserve > 0 ? `, keeps ${formatBytes(reserve)} of it for its metadata and logs (--reserve)` : ''
    const inFlight = claimed > 0 ? `, ${formatBytes(claimed)} of it promised to writes in progress` : ''
    throw new JadfsError('NO_SPACE', `this peer has ${formatBytes(free)} free${kept}${inFlight}: no room for ${formatBytes(bytes)}, ${what}`,
      { details: { freeBytes: free, reservedFreeBytes: reserve, claimedBytes: this.room.claimed, sizeBytes: bytes } })
  }

  private async freeBytes (): Promise<number> {
    if (this.readFreeBytes !== undefined) return await this.readFreeBytes()
    return (await readDiskSpace(this.init.dataDir)).freeBytes
  }

  private gcComponents (): GarbageCollectorComponents {
    return {
      files: this.files,
      index: this.index,
      lock: this.lock,
      pins: this.pins,
      nowMs: this.nowMs,
      ...(this.cluster === undefined ? {} : { onRemoved: this.cluster.chunkRemoved, confirmEvictable: this.cluster.confirmEvictable })
    }
  }

  async collectGarbage (options: GcOptions = {}): Promise<GcReport> {
    const graceMs = options.graceMs ?? this.init.gcGraceMs
    if (!Number.isSafeInteger(graceMs) || graceMs < 0) {
      throw new JadfsError('INVALID_ARGUMENT', `graceMs must be a non-negative integer, got ${String(graceMs)}`)
    }
    return await this.track(async () => {
      // one collection at a time: a second request waits for the first, then runs
      const run = this.gcRunning.catch(() => {}).then(async () => await collectGarbage(this.gcComponents(), graceMs))
      this.gcRunning = run
      const result = await run
      this.init.logger?.info({ ...result, graceMs }, 'garbage collection finished')
      return {
        chunksRemoved: result.chunksRemoved,
        cachedEvicted: result.cachedEvicted,
        bytesFreed: result.bytesFreed,
        tempFilesRemoved: result.tempFilesRemoved,
        durationMs: result.durationMs
      }
    })
  }

  /** stops taking requests, waits for those in progress, closes the database */
  async close (): Promise<void> {
    if (this.closing) return
    this.closing = true
    await Promise.allSettled([...this.inFlight])
    await this.hashWorkers.close()
    this.db.close()
  }

  /** the read pipeline for these chunks: in a cluster, one that fetches those not held here */
  private readerFor (chunks: readonly ChunkRef[], signal: AbortSignal | undefined): ReadPipelineComponents {
    const session = this.cluster?.openRead(chunks, signal)
    return session === undefined ? this.reader : { ...this.reader, beforeOpen: session.beforeOpen }
  }

  private async readBarrier (options: { stale?: boolean, signal?: AbortSignal }): Promise<void> {
    if (this.cluster !== undefined && options.stale !== true) await this.cluster.readBarrier(options.signal)
  }

  private async applyCommand (command: NamespaceCommand, signal: AbortSignal | undefined): Promise<ApplyResult> {
    if (this.cluster === undefined) return this.applyNext(command)
    const result = await this.cluster.applyCommand(namespaceCommandSchema.parse(command), signal)
    assert(result.status !== 'skipped', 'a proposed command was answered as a replay')
    return result
  }

  private applyNext (command: NamespaceCommand): ApplyResult {
    const checked = namespaceCommandSchema.parse(command)
    let result: ApplyResult
    try {
      result = this.namespace.apply(this.namespace.appliedIndex + 1, checked)
    } catch (err) {
      // SQLITE_FULL is a full disk, other SQLite failures are I/O; nothing was applied
      if (err instanceof SqliteError) throw toStorageError(err, 'recording the change in the metadata database')
      throw err
    }
    assert(result.status !== 'skipped', 'a fresh local index was skipped')
    return result
  }

  private getRecord (path: string): FileRecord {
    const record = this.namespace.get(path)
    if (record === undefined) throw new JadfsError('FILE_NOT_FOUND', `no file at ${path}`, { details: { path } })
    return record
  }

  private checkOpen (): void {
    if (this.closing) throw new JadfsError('SHUTTING_DOWN', 'the node is stopping and takes no new requests')
  }

  private async track<T> (operation: () => Promise<T>): Promise<T> {
    this.checkOpen()
    const promise = operation()
    this.inFlight.add(promise)
    try {
      return await promise
    } finally {
      this.inFlight.delete(promise)
    }
  }
}
