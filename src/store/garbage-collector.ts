// Garbage collection of one node's chunk store. Removes, once older than the grace period:
// unreferenced chunk rows and their files, cached copies a read fetched and nobody has read
// since (the row stays, as 'absent': the chunk is still referenced, only not held here),
// chunk files with no row (a crash between rename and insert, or a row lost), rows whose
// file vanished, and abandoned temp files. Pinned
// chunks (uploads in flight, open readers) are never touched; every removal re-checks its
// chunk under the chunk lock so it cannot race a concurrent store of the same bytes.
import type { ChunkFileStore } from './chunk-file-store.js'
import type { ChunkIndex } from './chunk-index.js'
import type { KeyedLock } from './keyed-lock.js'
import type { PinSet } from './pin-set.js'

export interface GcResult {
  /** chunk files removed, cached copies included */
  readonly chunksRemoved: number
  /** of chunksRemoved, cached copies evicted */
  readonly cachedEvicted: number
  readonly bytesFreed: number
  readonly tempFilesRemoved: number
  /** referenced chunks whose file was missing; now marked bad */
  readonly missingMarkedBad: number
  readonly durationMs: number
}

export interface GarbageCollectorComponents {
  readonly files: ChunkFileStore
  readonly index: ChunkIndex
  readonly lock: KeyedLock
  readonly pins: PinSet
  readonly nowMs: () => number
  /** told of each chunk file removed (a cluster stops announcing it) */
  readonly onRemoved?: (cid: string) => void
  /**
   * Of these cached copies, the ones that may go: in a cluster, those some live peer holds
   * as a copy, so an eviction never takes the last copy there is. Absent: all of them.
   */
  readonly confirmEvictable?: (cids: readonly string[]) => Promise<ReadonlySet<string>>
}

/** cached copies confirmed with peers per round: one have request per peer at this size (the protocol takes 1024 per request) */
const EVICTION_BATCH = 1024

export async function collectGarbage (c: GarbageCollectorComponents, graceMs: number): Promise<GcResult> {
  const startedMs = c.nowMs()
  const cutoffMs = startedMs - graceMs
  let chunksRemoved = 0
  let bytesFreed = 0
  let missingMarkedBad = 0
  let cachedEvicted = 0

  for (const candidate of c.index.collectable(cutoffMs)) {
    if (c.pins.isPinned(candidate.cid)) continue
    await c.lock.run(candidate.cid, async () => {
      const row = c.index.get(candidate.cid)
      if (row === undefined || row.refcount !== 0 || row.touchedAtMs > cutoffMs || c.pins.isPinned(row.cid)) return
      const freed = row.state === 'absent' ? null : await c.files.remove(row.cid)
      c.index.delete(row.cid)
      if (freed !== null) {
        chunksRemoved++
        bytesFreed += freed
        c.onRemoved?.(row.cid)
      }
    })
  }

  const evicted = await evictCached(c, cutoffMs, EVICTION_BATCH, async () => false)
  chunksRemoved += evicted.chunksEvicted
  cachedEvicted += evicted.chunksEvicted
  bytesFreed += evicted.bytesFreed

  const onDisk = new Set<string>()
  for await (const file of c.files.listChunkFiles()) {
    onDisk.add(file.cid)
    if (file.mtimeMs > cutoffMs || c.pins.isPinned(file.cid) || c.index.get(file.cid) !== undefined) continue
    await c.lock.run(file.cid, async () => {
      if (c.index.get(file.cid) !== undefined || c.pins.isPinned(file.cid)) return
      const freed = await c.files.remove(file.cid)
      if (freed !== null) {
        chunksRemoved++
        bytesFreed += freed
      }
    })
  }

  for (const row of c.index.local()) {
    if (onDisk.has(row.cid) || row.touchedAtMs > cutoffMs || c.pins.isPinned(row.cid)) continue
    await c.lock.run(row.cid, async () => {
      const current = c.index.get(row.cid)
      if (current === undefined || current.state === 'absent') return
      if (await c.files.statChunk(row.cid) !== null) return
      if (current.refcount === 0) {
        c.index.delete(row.cid)
      } else if (current.cached) {
        // a cached copy that lost its file is simply no longer held here
        c.index.markEvicted(row.cid)
        c.onRemoved?.(row.cid)
      } else if (c.index.markBad(row.cid)) {
        missingMarkedBad++
      }
    })
  }

  const tempFilesRemoved = await c.files.sweepTemp(cutoffMs)
  return { chunksRemoved, cachedEvicted, bytesFreed, tempFilesRemoved, missingMarkedBad, durationMs: c.nowMs() - startedMs }
}

/** cached copies confirmed per round trip when a writer needs room now: a few suffice */
const ROOM_BATCH = 32
/** how long making room may take, all confirmation rounds together */
export const ROOM_EVICTION_BUDGET_MS = 15_000

/**
 * Makes room for a chunk a read must store: evicts cached copies, least recently read
 * first, whatever their age (except those in use), until `hasRoom` says there is room.
 */
export async function evictCachedForRoom (c: GarbageCollectorComponents, hasRoom: () => Promise<boolean>): Promise<{ chunksEvicted: number, bytesFreed: number }> {
  if (await hasRoom()) return { chunksEvicted: 0, bytesFreed: 0 }
  // a writer waits for this (and others queue behind it): past the budget it gives up, and
  // the writer is told there is no room, rather than wait on peer after silent peer
  const giveUpAtMs = c.nowMs() + ROOM_EVICTION_BUDGET_MS
  return await evictCached(c, c.nowMs(), ROOM_BATCH, async () => c.nowMs() >= giveUpAtMs || await hasRoom())
}

/**
 * Evicts cached copies unread since cutoffMs (least recently read first) that the cluster
 * confirms, in batches; stops early once `enough` says so.
 */
async function evictCached (c: GarbageCollectorComponents, cutoffMs: number, batchSize: number, enough: () => Promise<boolean>): Promise<{ chunksEvicted: number, bytesFreed: number }> {
  let chunksEvicted = 0
  let bytesFreed = 0
  const evictable = c.index.evictable(cutoffMs).filter((row) => !c.pins.isPinned(row.cid)).map((row) => row.cid)
  for (let i = 0; i < evictable.length; i += batchSize) {
    // also between batches: a batch may confirm nothing
    if (i > 0 && await enough()) break
    const batch = evictable.slice(i, i + batchSize)
    const confirmed = c.confirmEvictable === undefined ? new Set(batch) : await c.confirmEvictable(batch)
    for (const cid of batch) {
      if (!confirmed.has(cid)) continue
      await c.lock.run(cid, async () => {
        const row = c.index.get(cid)
        if (row === undefined || !row.cached || row.state === 'absent' || row.touchedAtMs > cutoffMs || c.pins.isPinned(cid)) return
        // the row says 'absent' before the file goes, in the same step as the check: a push
        // or a read looking now finds no copy (and stores or fetches one), never a row that
        // claims a file being deleted
        c.index.markEvicted(cid)
        const freed = await c.files.remove(cid)
        c.onRemoved?.(cid)
        if (freed !== null) {
          chunksEvicted++
          bytesFreed += freed
        }
      })
      if (await enough()) return { chunksEvicted, bytesFreed }
    }
  }
  return { chunksEvicted, bytesFreed }
}
