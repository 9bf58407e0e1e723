// The replication debt of this peer: chunks it wrote that still have fewer copies than their
// file asks for (every async put, and sync puts accepted with fewer live peers). The debt must
// outlive a crash — a chunk acknowledged with one copy and then forgotten would stay at one copy
// forever — so it lives in its own SQLite file, committed (WAL, synchronous=FULL) before enqueue
// returns. The file is separate from the metadata database so that the queue's frequent small
// writes never contend with namespace transactions, and it can be dropped without harm to the
// namespace (the worst case is missing copies until a scrub notices).
import type Database from 'better-sqlite3'
import { JadfsError } from '../../errors.js'
import { MAX_RECORDED_REPLICATION_FACTOR } from '../../namespace/commands.js'
import { toStorageError } from '../../store/storage-error.js'
import { assert } from '../../util/assert.js'
import { openVersionedSqlite } from '../../util/versioned-sqlite.js'

export interface ReplicationQueueOptions {
  /** rows kept at most; a new chunk past it is refused with NO_SPACE @default 1_000_000 */
  readonly maxEntries?: number
}

export interface DebtRow {
  readonly cid: string
  readonly sizeBytes: number
  readonly wantCopies: number
  /** peers known to hold the chunk, this peer included */
  readonly holders: readonly string[]
  /** failed rounds so far */
  readonly attempts: number
  readonly nextAttemptAtMs: number
  readonly createdAtMs: number
}

export interface DebtTotals {
  readonly entries: number
  /** Σ max(0, wantCopies - holders) */
  readonly missingCopies: number
  /** Σ sizeBytes of the queued chunks */
  readonly bytes: number
}

export const DEFAULT_MAX_ENTRIES = 1_000_000
export const FIRST_RETRY_DELAY_MS = 1000
export const MAX_RETRY_DELAY_MS = 60_000
/** holders kept per row: more copies than a file's replication factor can ask for are never wanted */
export const MAX_HOLDERS = MAX_RECORDED_REPLICATION_FACTOR

const SCHEMA_VERSION = 1
const SCHEMA_SQL = `
CREATE TABLE debt (
  cid TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  want_copies INTEGER NOT NULL CHECK (want_copies >= 1),
  holders_json TEXT NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  next_attempt_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX debt_due ON debt (next_attempt_at_ms, created_at_ms, cid);
`

interface SqlRow {
  cid: string
  size_bytes: number
  want_copies: number
  holders_json: string
  attempts: number
  next_attempt_at_ms: number
  created_at_ms: number
}

/** Delay before the next round after `attempts` failed ones: 1 s, 2 s, 4 s, ... capped at 60 s. */
export function retryDelayMs (attempts: number): number {
  assert(Number.isSafeInteger(attempts) && attempts >= 1, 'retryDelayMs: attempts must be >= 1', { attempts })
  // 2^6 s already passes the cap; stop doubling there so huge attempt counts stay exact
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(attempts - 1, 6))
}

export class ReplicationQueue {
  private readonly stmt
  private readonly maxEntries: number
  // kept in memory so totals() (served on every status request) never scans a million rows
  private totalsNow: { entries: number, missingCopies: number, bytes: number }
  private closed = false

  private constructor (private readonly db: Database.Database, options: ReplicationQueueOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
    assert(Number.isSafeInteger(this.maxEntries) && this.maxEntries > 0, 'maxEntries must be a positive integer', options)
    this.stmt = {
      get: db.prepare<[string], SqlRow>('SELECT * FROM debt WHERE cid = ?'),
      insert: db.prepare<[string, number, number, string, number, number]>(
        'INSERT INTO debt (cid, size_bytes, want_copies, holders_json, attempts, next_attempt_at_ms, created_at_ms) VALUES (?, ?, ?, ?, 0, ?, ?)'),
      update: db.prepare<[number, string, string]>('UPDATE debt SET want_copies = ?, holders_json = ? WHERE cid = ?'),
      retry: db.prepare<[number, number, string]>('UPDATE debt SET attempts = ?, next_attempt_at_ms = ? WHERE cid = ?'),
      remove: db.prepare<[string]>('DELETE FROM debt WHERE cid = ?'),
      due: db.prepare<[number, number], SqlRow>('SELECT * FROM debt WHERE next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, created_at_ms, cid LIMIT ?'),
      totals: db.prepare<[], { entries: number, bytes: number | null, missing: number | null }>(
        'SELECT COUNT(*) AS entries, SUM(size_bytes) AS bytes, SUM(MAX(0, want_copies - json_array_length(holders_json))) AS missing FROM debt')
    }
    const t = this.stmt.totals.get()
    assert(t !== undefined, 'an aggregate query returns one row')
    this.totalsNow = { entries: t.entries, bytes: t.bytes ?? 0, missingCopies: t.missing ?? 0 }
  }

  static open (path: string, options: ReplicationQueueOptions = {}): ReplicationQueue {
    try {
      return openVersionedSqlite(path, {
        describe: 'replication queue',
        version: SCHEMA_VERSION,
        createSchema: (db) => db.exec(SCHEMA_SQL),
        wrap: (db) => new ReplicationQueue(db, options)
      })
    } catch (err) {
      throw toStorageError(err, `opening the replication queue ${path}`)
    }
  }

  /**
   * Records that `cid` wants `wantCopies` copies and is held by `holders`. An existing row is
   * merged (the larger want, the union of holders) and keeps its retry schedule, so a repeated
   * write of the same chunk does not skip the backoff. A new row past maxEntries is refused.
   */
  enqueue (cid: string, sizeBytes: number, wantCopies: number, holders: readonly string[], nowMs: number): void {
    this.assertOpen()
    assert(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0, 'enqueue: sizeBytes must be a non-negative integer', { cid, sizeBytes })
    assert(Number.isSafeInteger(wantCopies) && wantCopies >= 1 && wantCopies <= MAX_HOLDERS, `enqueue: wantCopies must be 1..${MAX_HOLDERS}`, { cid, wantCopies })
    assert(Number.isSafeInteger(nowMs), 'enqueue: nowMs must be an integer', { nowMs })
    const existing = this.stmt.get.get(cid)
    if (existing === undefined) {
      if (this.totalsNow.entries >= this.maxEntries) {
        throw new JadfsError('NO_SPACE', `the replication queue is full (${this.maxEntries} chunks waiting for copies)`, { details: { cid, maxEntries: this.maxEntries } })
      }
      const merged = union([], holders)
      this.write('enqueuing a chunk for replication', () => this.stmt.insert.run(cid, sizeBytes, wantCopies, JSON.stringify(merged), nowMs, nowMs))
      this.totalsNow.entries++
      this.totalsNow.bytes += sizeBytes
      this.totalsNow.missingCopies += missing(wantCopies, merged.length)
      return
    }
    const before = parseHolders(existing.holders_json)
    const merged = union(before, holders)
    const want = Math.max(existing.want_copies, wantCopies)
    this.write('enqueuing a chunk for replication', () => this.stmt.update.run(want, JSON.stringify(merged), cid))
    this.totalsNow.missingCopies += missing(want, merged.length) - missing(existing.want_copies, before.length)
  }

  /** Rows whose next attempt is due, longest waiting first. */
  due (nowMs: number, limit: number): DebtRow[] {
    this.assertOpen()
    assert(Number.isSafeInteger(limit) && limit > 0, 'due: limit must be a positive integer', { limit })
    return this.stmt.due.all(nowMs, limit).map(toRow)
  }

  get (cid: string): DebtRow | undefined {
    this.assertOpen()
    const row = this.stmt.get.get(cid)
    return row === undefined ? undefined : toRow(row)
  }

  /** Known holders of a queued chunk; [] when it is not queued. */
  holders (cid: string): string[] {
    return [...(this.get(cid)?.holders ?? [])]
  }

  /** Records one more holder. Returns false when the chunk is not queued (nothing to record). */
  addHolder (cid: string, peerId: string): boolean {
    this.assertOpen()
    const existing = this.stmt.get.get(cid)
    if (existing === undefined) return false
    const before = parseHolders(existing.holders_json)
    const merged = union(before, [peerId])
    if (merged.length === before.length) return true
    this.write('recording a chunk holder', () => this.stmt.update.run(existing.want_copies, JSON.stringify(merged), cid))
    this.totalsNow.missingCopies += missing(existing.want_copies, merged.length) - missing(existing.want_copies, before.length)
    return true
  }

  /** Drops a row (debt paid, or nothing left to copy from). Returns whether there was one. */
  remove (cid: string): boolean {
    this.assertOpen()
    const existing = this.stmt.get.get(cid)
    if (existing === undefined) return false
    this.write('removing paid replication debt', () => this.stmt.remove.run(cid))
    this.totalsNow.entries--
    this.totalsNow.bytes -= existing.size_bytes
    this.totalsNow.missingCopies -= missing(existing.want_copies, parseHolders(existing.holders_json).length)
    return true
  }

  /** Counts a failed round and schedules the next one after retryDelayMs(attempts). */
  retryLater (cid: string, nowMs: number): boolean {
    this.assertOpen()
    assert(Number.isSafeInteger(nowMs), 'retryLater: nowMs must be an integer', { nowMs })
    const existing = this.stmt.get.get(cid)
    if (existing === undefined) return false
    const attempts = existing.attempts + 1
    this.write('scheduling a replication retry', () => this.stmt.retry.run(attempts, nowMs + retryDelayMs(attempts), cid))
    return true
  }

  totals (): DebtTotals {
    this.assertOpen()
    return { ...this.totalsNow }
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  // a full disk surfaces as NO_SPACE, any other failure as STORAGE_IO; the totals are only
  // updated after the write succeeded
  private write (doing: string, run: () => unknown): void {
    try {
      run()
    } catch (err) {
      throw toStorageError(err, doing)
    }
  }

  private assertOpen (): void {
    assert(!this.closed, 'replication queue used after close')
  }
}

function toRow (row: SqlRow): DebtRow {
  return {
    cid: row.cid,
    sizeBytes: row.size_bytes,
    wantCopies: row.want_copies,
    holders: parseHolders(row.holders_json),
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    createdAtMs: row.created_at_ms
  }
}

function parseHolders (json: string): string[] {
  const parsed: unknown = JSON.parse(json)
  assert(Array.isArray(parsed) && parsed.every((p) => typeof p === 'string'), 'replication queue: holders_json is not an array of strings', { json })
  return parsed as string[]
}

/** `base` then the new ids of `more`, in order, without duplicates, at most MAX_HOLDERS */
function union (base: readonly string[], more: readonly string[]): string[] {
  const out = [...base]
  const seen = new Set(base)
  for (const id of more) {
    if (out.length >= MAX_HOLDERS) break
    if (!seen.has(id)) {
      seen.add(id)
      out.push(id)
    }
  }
  return out
}

function missing (wantCopies: number, holderCount: number): number {
  return Math.max(0, wantCopies - holderCount)
}
