// The chunk store of one node: chunk files plus their SQLite rows, kept consistent under a
// per-chunk lock, with pins that keep chunks in use away from garbage collection.
import type { FileHandle } from 'node:fs/promises'
import { chunkCidFromSha256 } from '../chunk/cid.js'
import { JadfsError } from '../errors.js'
import type { ChunkFileStore } from './chunk-file-store.js'
import type { ChunkHashWorkerPool } from './chunk-hash-worker-pool.js'
import type { ChunkIndex } from './chunk-index.js'
import type { ChunkWriter } from './chunk-writer.js'
import { findChunkDefect } from './chunk-verify.js'
import type { KeyedLock } from './keyed-lock.js'
import type { PinSet } from './pin-set.js'

export interface StoredChunk {
  readonly cid: string
  readonly sizeBytes: number
}

export interface ChunkStoreComponents {
  readonly files: ChunkFileStore
  readonly index: ChunkIndex
  readonly lock: KeyedLock
  readonly pins: PinSet
  readonly nowMs: () => number
  readonly onCorrupt?: (cid: string, why: string) => void
  /** re-hashes chunks off the main thread when idle; without it, hashing is inline */
  readonly hashWorkers?: ChunkHashWorkerPool
}

export interface CommittedChunk {
  readonly chunk: StoredChunk
  /** unpins the chunk; until then garbage collection leaves it alone */
  readonly release: () => void
  /** this commit placed the file (it was not held here before) */
  readonly created: boolean
  /** the chunk's timesStored after this commit (see discardIfUnused) */
  readonly timesStored: number
}

/** a cached copy's last use is recorded at most this often */
export const CACHED_TOUCH_EVERY_MS = 1000

export class ChunkStore {
  constructor (private readonly c: ChunkStoreComponents) {}

  async createWriter (): Promise<ChunkWriter> {
    return await this.c.files.createWriter()
  }

  /**
   * Finishes a writer and files the chunk under its id. The chunk is pinned before it becomes
   * visible to the collector; the caller owns the returned release function. With
   * expectedCid, bytes that hash to anything else are discarded (CHECKSUM_MISMATCH).
   * `cached`: a read fetched the chunk, so it is kept as a cached copy (ChunkRow.cached).
   */
  async commit (writer: ChunkWriter, options: { expectedCid?: string, cached?: boolean } = {}): Promise<CommittedChunk> {
    let finished
    try {
      finished = await writer.finish()
    } catch (err) {
      await writer.abort().catch(() => {})
      throw err
    }
    const cid = chunkCidFromSha256(finished.sha256)
    if (options.expectedCid !== undefined && cid !== options.expectedCid) {
      // bytes received for a named chunk (from a peer) that are not that chunk: store nothing
      await writer.abort()
      throw new JadfsError('CHECKSUM_MISMATCH', `received bytes hash to ${cid}, not the expected chunk ${options.expectedCid}; nothing was stored`,
        { details: { expectedCid: options.expectedCid, actualCid: cid } })
    }
    const release = this.c.pins.pin([cid])
    let created = false
    let timesStored = 0
    try {
      await this.c.lock.run(cid, async () => {
        // a copy marked bad is replaced by the fresh bytes: re-uploading heals it
        const before = this.c.index.get(cid)
        const placed = await this.c.files.place(finished, cid, before?.state === 'bad')
        created = placed === 'stored' && (before === undefined || before.state === 'absent')
        timesStored = this.c.index.recordStored(cid, finished.sizeBytes, this.c.nowMs(), { cached: options.cached === true })
      })
    } catch (err) {
      release()
      throw err
    }
    return { chunk: { cid, sizeBytes: finished.sizeBytes }, release, created, timesStored }
  }

  /**
   * Removes a chunk an upload that failed had created, unless something else now needs it
   * (a reference, a pin, a read's cached copy) or stored it since: true when it was removed.
   * `timesStored` is the upload's own commit's. The last check matters in a cluster: a peer
   * may push the same chunk for its own upload, get its acknowledgement (the push's pin is
   * released then) and propose a file naming this copy; until that file is applied here,
   * only the count shows the copy is counted on, and removing it would leave that file one
   * copy short. Such a chunk is left to the collector's grace period, like the chunks of an
   * upload whose outcome is unknown (and so is one the same upload stored twice).
   */
  async discardIfUnused (cid: string, timesStored: number): Promise<boolean> {
    return await this.c.lock.run(cid, async () => {
      const row = this.c.index.get(cid)
      if (row === undefined || row.refcount !== 0 || row.cached || row.state === 'absent' || this.c.pins.isPinned(cid)) return false
      if (row.timesStored !== timesStored) return false
      await this.c.files.remove(cid)
      this.c.index.delete(cid)
      return true
    })
  }

  /**
   * Opens a chunk and re-hashes all of it before returning the handle; the caller reads the
   * bytes to serve from this same handle and closes it. A mismatch marks the chunk bad.
   * expectedSizeBytes null means "whatever the index says".
   */
  async openVerified (cid: string, expectedSizeBytes: number | null, scratch: Buffer): Promise<FileHandle> {
    const row = this.c.index.get(cid)
    if (row === undefined || row.state === 'absent') {
      throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${cid} is not stored on this node`, { details: { cid } })
    }
    if (row.state === 'bad') throw corrupt(cid, 'it was marked bad by an earlier check')
    const handle = await this.c.files.openForRead(cid)
    if (handle === null) {
      // collected while unreferenced (a reader of a version overwritten meanwhile), or a
      // cached copy evicted meanwhile: not damage
      const now = this.c.index.get(cid)
      if (now === undefined || now.refcount === 0 || now.state === 'absent') {
        throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${cid} is no longer stored on this node`, { details: { cid } })
      }
      this.markBad(cid, 'its file is missing')
      throw corrupt(cid, 'its file is missing')
    }
    let defect: string | null
    try {
      defect = await findChunkDefect(handle, cid, expectedSizeBytes ?? row.sizeBytes, scratch, this.c.hashWorkers)
    } catch (err) {
      await handle.close()
      throw err
    }
    if (defect !== null) {
      await handle.close()
      this.markBad(cid, defect)
      throw corrupt(cid, defect)
    }
    return handle
  }

  /**
   * A read of the file used this chunk: a cached copy starts its eviction grace period again.
   * At most once a second per copy, not per read-ahead step: each touch is a synchronous
   * SQLite write on the read path.
   */
  noteRead (cid: string): void {
    this.c.index.touchCachedCopy(cid, this.c.nowMs(), CACHED_TOUCH_EVERY_MS)
  }

  /**
   * Opens a chunk without re-hashing it: only for a chunk this process filed moments ago
   * through commit(), which hashed every byte on the way to disk (a put copying its fresh
   * chunks to peers, who re-hash what they receive anyway). Everything else uses openVerified.
   */
  async openJustCommitted (cid: string): Promise<FileHandle> {
    const handle = await this.c.files.openForRead(cid)
    if (handle === null) throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${cid} is not stored on this node`, { details: { cid } })
    return handle
  }

  private markBad (cid: string, why: string): void {
    if (this.c.index.markBad(cid)) this.c.onCorrupt?.(cid, why)
  }
}

function corrupt (cid: string, why: string): JadfsError {
  return new JadfsError('CHUNK_CORRUPT', `chunk ${cid} failed its integrity check: ${why}; it was not served`, { details: { cid } })
}
