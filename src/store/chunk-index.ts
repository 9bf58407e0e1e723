// The chunks table: what this node stores and how often the namespace references it. Methods
// are synchronous so the namespace can change refcounts inside its own apply transaction.
import type { Statement } from 'better-sqlite3'
import { assert } from '../util/assert.js'
import type { Db } from './database.js'

export type ChunkState = 'ok' | 'bad' | 'absent'

export interface ChunkRow {
  readonly cid: string
  readonly sizeBytes: number
  readonly refcount: number
  readonly state: ChunkState
  readonly createdAtMs: number
  readonly touchedAtMs: number
  /**
   * True for a copy a cluster peer keeps only because a read fetched it: it is not one of
   * the chunk's copies (have queries and repair do not count it) and the collector evicts
   * it once unused for the grace period. Storing the chunk as a copy (a push, a put) clears it.
   */
  readonly cached: boolean
  /**
   * How many times the chunk was stored here (a put, a push, a read's fetch), counted since
   * the row was made: an upload that created the chunk compares it with its own store's to
   * tell whether anyone stored it again since (ChunkStore.discardIfUnused).
   */
  readonly timesStored: number
}

export interface ChunkTotals {
  /** chunks with a local file (ok or bad) */
  readonly chunks: number
  readonly physicalBytes: number
  readonly badChunks: number
  /** of `chunks`, cached copies fetched by reads (see ChunkRow.cached) */
  readonly cachedChunks: number
}

interface RawRow { cid: string, size_bytes: number, refcount: number, state: ChunkState, created_at_ms: number, touched_at_ms: number, cached: number, times_stored: number }

export class ChunkIndex {
  private readonly selectOne: Statement<[string], RawRow>
  private readonly upsertStored: Statement<{ cid: string, size: number, now: number, cached: number }, { times_stored: number }>
  private readonly clearCached: Statement<[string]>
  private readonly setState: Statement<{ cid: string, state: ChunkState }>
  private readonly touchCached: Statement<{ cid: string, now: number, minAge: number }>
  private readonly selectEvictable: Statement<[number], RawRow>
  private readonly evictOne: Statement<[string]>
  private readonly addRef: Statement<{ cid: string, size: number, now: number }>
  private readonly releaseRef: Statement<{ cid: string, now: number }>
  private readonly setBad: Statement<[string]>
  private readonly deleteOne: Statement<[string]>
  private readonly selectCollectable: Statement<[number], RawRow>
  private readonly selectLocal: Statement<[], RawRow>
  private readonly selectTotals: Statement<[], { chunks: number | null, bytes: number | null, bad: number | null, cached: number | null }>

  constructor (private readonly db: Db) {
    this.selectOne = db.prepare('SELECT * FROM chunks WHERE cid = ?')
    // storing (or deduping onto) a chunk touches it, so a GC cannot take it before the
    // upload that stored it references it. A cached store makes a cached copy only where
    // there was no copy: it never demotes a copy (a bad one being healed included), while
    // storing as a copy always clears the mark.
    this.upsertStored = db.prepare(`INSERT INTO chunks (cid, size_bytes, refcount, state, created_at_ms, touched_at_ms, cached, times_stored)
      VALUES (@cid, @size, 0, 'ok', @now, @now, @cached, 1)
      ON CONFLICT (cid) DO UPDATE SET
        cached = CASE WHEN state = 'absent' THEN @cached ELSE cached * @cached END,
        state = 'ok', touched_at_ms = @now, times_stored = times_stored + 1
      RETURNING times_stored`)
    // only a row that is cached is written: the update is an fsynced write, and a push that
    // finds an ordinary copy here asks for the same promise
    this.setState = db.prepare('UPDATE chunks SET state = @state WHERE cid = @cid')
    this.clearCached = db.prepare("UPDATE chunks SET cached = 0 WHERE cid = ? AND state = 'ok' AND cached = 1")
    this.touchCached = db.prepare('UPDATE chunks SET touched_at_ms = @now WHERE cid = @cid AND cached = 1 AND touched_at_ms <= @now - @minAge')
    this.selectEvictable = db.prepare("SELECT * FROM chunks WHERE cached = 1 AND state != 'absent' AND touched_at_ms <= ? ORDER BY touched_at_ms")
    this.evictOne = db.prepare("UPDATE chunks SET state = 'absent', cached = 0 WHERE cid = ? AND cached = 1")
    this.addRef = db.prepare(`INSERT INTO chunks (cid, size_bytes, refcount, state, created_at_ms, touched_at_ms)
      VALUES (@cid, @size, 1, 'absent', @now, @now)
      ON CONFLICT (cid) DO UPDATE SET refcount = refcount + 1, touched_at_ms = @now`)
    this.releaseRef = db.prepare('UPDATE chunks SET refcount = refcount - 1, touched_at_ms = @now WHERE cid = @cid AND refcount > 0')
    this.setBad = db.prepare("UPDATE chunks SET state = 'bad' WHERE cid = ? AND state = 'ok'")
    this.deleteOne = db.prepare('DELETE FROM chunks WHERE cid = ?')
    this.selectCollectable = db.prepare('SELECT * FROM chunks WHERE refcount = 0 AND touched_at_ms <= ? ORDER BY touched_at_ms')
    this.selectLocal = db.prepare("SELECT * FROM chunks WHERE state != 'absent'")
    // kept by triggers (migration 5), not counted: status and every /metrics scrape read them
    this.selectTotals = db.prepare(`SELECT (SELECT value FROM meta WHERE key = 'local_chunks') AS chunks,
      (SELECT value FROM meta WHERE key = 'local_chunk_bytes') AS bytes, (SELECT value FROM meta WHERE key = 'bad_chunks') AS bad,
      (SELECT value FROM meta WHERE key = 'cached_chunks') AS cached`)
  }

  get (cid: string): ChunkRow | undefined {
    const row = this.selectOne.get(cid)
    return row === undefined ? undefined : toRow(row)
  }

  /**
   * A chunk file was just placed (or found already placed) on disk; `cached` when a read
   * fetched it (see ChunkRow.cached). Returns how many times the chunk has been stored here,
   * this store included (ChunkRow.timesStored).
   */
  recordStored (cid: string, sizeBytes: number, nowMs: number, options: { cached?: boolean } = {}): number {
    const existing = this.get(cid)
    assert(existing === undefined || existing.sizeBytes === sizeBytes, 'one chunk id with two sizes', { cid, sizeBytes, existing })
    const stored = this.upsertStored.get({ cid, size: sizeBytes, now: nowMs, cached: options.cached === true ? 1 : 0 })
    assert(stored !== undefined, 'storing a chunk returned no row', { cid })
    return stored.times_stored
  }

  /**
   * A peer counts on this copy (a push found it here, or repair found no other): no longer
   * cached. False when there is no sound copy here to keep (it was evicted meanwhile).
   */
  keepAsCopy (cid: string): boolean {
    return this.clearCached.run(cid).changes === 1 || this.get(cid)?.state === 'ok'
  }

  /** a read used this cached copy: the eviction grace period starts again, unless it did within minAgeMs */
  touchCachedCopy (cid: string, nowMs: number, minAgeMs = 0): void {
    this.touchCached.run({ cid, now: nowMs, minAge: minAgeMs })
  }

  /** cached copies with a file, unused since cutoffMs */
  evictable (cutoffMs: number): ChunkRow[] {
    return this.selectEvictable.all(cutoffMs).map(toRow)
  }

  /** the cached copy's file is gone: the row stays (the namespace still references the chunk) */
  markEvicted (cid: string): void {
    const { changes } = this.evictOne.run(cid)
    assert(changes === 1, 'evicted a chunk that was not a cached copy', { cid })
  }

  addRefs (refs: ReadonlyArray<{ cid: string, sizeBytes: number }>, nowMs: number): void {
    for (const ref of refs) {
      const existing = this.get(ref.cid)
      assert(existing === undefined || existing.sizeBytes === ref.sizeBytes, 'one chunk id with two sizes', { ref, existing })
      this.addRef.run({ cid: ref.cid, size: ref.sizeBytes, now: nowMs })
    }
  }

  releaseRefs (cids: readonly string[], nowMs: number): void {
    for (const cid of cids) {
      const { changes } = this.releaseRef.run({ cid, now: nowMs })
      assert(changes === 1, 'released a chunk that had no reference', { cid })
    }
  }

  /**
   * Makes every refcount equal to the references in `counts` (restore from a snapshot),
   * touching only rows whose count changes.
   */
  resetRefcounts (counts: ReadonlyMap<string, { sizeBytes: number, refs: number }>, nowMs: number): void {
    const seen = new Set<string>()
    const setRefcount = this.db.prepare<[number, number, string]>('UPDATE chunks SET refcount = ?, touched_at_ms = ? WHERE cid = ?')
    const insertAbsent = this.db.prepare<[string, number, number, number, number]>(`INSERT INTO chunks
      (cid, size_bytes, refcount, state, created_at_ms, touched_at_ms) VALUES (?, ?, ?, 'absent', ?, ?)`)
    for (const row of this.db.prepare<[], RawRow>('SELECT * FROM chunks').all()) {
      const want = counts.get(row.cid)?.refs ?? 0
      seen.add(row.cid)
      if (want !== row.refcount) setRefcount.run(want, nowMs, row.cid)
    }
    for (const [cid, { sizeBytes, refs }] of counts) {
      if (!seen.has(cid)) insertAbsent.run(cid, sizeBytes, refs, nowMs, nowMs)
    }
  }

  /**
   * Sets a row's state outright. The store itself uses markBad and markEvicted, which check
   * the row; tests use this to stage what no store path produces on purpose (a lost file).
   */
  markState (cid: string, state: ChunkState): void {
    this.setState.run({ cid, state })
  }

  /** a copy failed a check; false if there was no sound copy to mark (absent meanwhile) */
  markBad (cid: string): boolean {
    return this.setBad.run(cid).changes === 1
  }

  delete (cid: string): void {
    this.deleteOne.run(cid)
  }

  /** unreferenced rows last touched at or before cutoffMs */
  collectable (cutoffMs: number): ChunkRow[] {
    return this.selectCollectable.all(cutoffMs).map(toRow)
  }

  /** rows that claim a local file */
  local (): ChunkRow[] {
    return this.selectLocal.all().map(toRow)
  }

  totals (): ChunkTotals {
    const row = this.selectTotals.get()
    assert(row !== undefined && row.chunks !== null && row.bytes !== null && row.bad !== null && row.cached !== null, 'the chunk totals are missing from meta')
    return { chunks: row.chunks, physicalBytes: row.bytes, badChunks: row.bad, cachedChunks: row.cached }
  }
}

function toRow (raw: RawRow): ChunkRow {
  return {
    cid: raw.cid,
    sizeBytes: raw.size_bytes,
    refcount: raw.refcount,
    state: raw.state,
    createdAtMs: raw.created_at_ms,
    touchedAtMs: raw.touched_at_ms,
    cached: raw.cached === 1,
    timesStored: raw.times_stored
  }
}
