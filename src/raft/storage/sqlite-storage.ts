// Durable RaftStorage on SQLite (better-sqlite3). Each save() is one transaction in WAL mode with
// synchronous=FULL, so when it returns the batch is on disk: the driver may then send the votes
// and append acknowledgements that depend on it. Restart recovers exactly what was saved.
//
// Semantics match MemoryRaftStorage (both pass test/raft/storage/storage-compliance.ts), which
// follows etcd: the log starts after a compaction point whose term is still known; the snapshot
// is kept beside the log and may be newer than that point; installing a snapshot discards the
// whole log; createSnapshot keeps the log and compact() drops entries up to the snapshot index.
// Bounds, the hard state, the snapshot's metadata and the tail of the log are cached in memory
// and only changed after a transaction commits, so a failed save leaves both the file and the
// cache as they were.

import type Database from 'better-sqlite3'
import { assert } from '../../util/assert.js'
import { openVersionedSqlite } from '../../util/versioned-sqlite.js'
import { RaftStorageError, takeWithinSize } from '../storage.js'
import type { InitialState, RaftStorage, SaveBatch } from '../storage.js'
import type { ConfState, Entry, EntryType, HardState, Snapshot } from '../types.js'
import { ENTRY_TYPE_CODES, SCHEMA_SQL, SCHEMA_VERSION } from './sqlite-schema.js'
import { SqliteTailCache } from './sqlite-tail-cache.js'

export interface SqliteRaftStorageOptions {
  /** configuration of the empty snapshot at index 0 when the file is created; ignored when it exists
   * @default { voters: [], learners: [] } */
  readonly initialConfState?: ConfState
  /** how many of the newest entries to keep in memory @default 4096 */
  readonly cachedEntries?: number
  /** cap on the data bytes of cached entries @default 8 MiB */
  readonly cachedBytes?: number
}

const EMPTY_CONF: ConfState = { voters: [], learners: [] }

interface EntryRow { idx: number, term: number, type: number, data: Buffer }

export class SqliteRaftStorage implements RaftStorage {
  private readonly stmt
  private readonly tail: SqliteTailCache
  private hardState: HardState
  private confState: ConfState
  private snapIndex: number
  private snapTerm: number
  /** the compaction point: entries ≤ it are gone; its term answers term(compactIndex) */
  private compactIndex: number
  private compactTerm: number
  /** loaded on first snapshot() call; the data may be large */
  private snap: Snapshot | undefined
  private last: number
  private closed = false

  private constructor (private readonly db: Database.Database, options: SqliteRaftStorageOptions) {
    this.stmt = {
      entriesFrom: db.prepare<[number, number], EntryRow>('SELECT idx, term, type, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
      term: db.prepare<[number], { term: number }>('SELECT term FROM entries WHERE idx = ?'),
      lastIndex: db.prepare<[], { last: number | null }>('SELECT MAX(idx) AS last FROM entries'),
      firstIndex: db.prepare<[], { first: number | null }>('SELECT MIN(idx) AS first FROM entries'),
      insertEntry: db.prepare<[number, number, number, Buffer]>('INSERT INTO entries (idx, term, type, data) VALUES (?, ?, ?, ?)'),
      deleteFrom: db.prepare<[number]>('DELETE FROM entries WHERE idx >= ?'),
      deleteThrough: db.prepare<[number]>('DELETE FROM entries WHERE idx <= ?'),
      deleteAll: db.prepare('DELETE FROM entries'),
      hardState: db.prepare<[], { term: number, vote: string, commit_index: number }>('SELECT term, vote, commit_index FROM hard_state WHERE id = 0'),
      putHardState: db.prepare<[number, string, number]>('INSERT OR REPLACE INTO hard_state (id, term, vote, commit_index) VALUES (0, ?, ?, ?)'),
      snapshotMeta: db.prepare<[], { idx: number, term: number }>('SELECT idx, term FROM snapshot WHERE id = 0'),
      snapshotData: db.prepare<[], { data: Buffer }>('SELECT data FROM snapshot WHERE id = 0'),
      putSnapshot: db.prepare<[number, number, Buffer]>('INSERT OR REPLACE INTO snapshot (id, idx, term, data) VALUES (0, ?, ?, ?)'),
      compaction: db.prepare<[], { idx: number, term: number }>('SELECT idx, term FROM compaction WHERE id = 0'),
      putCompaction: db.prepare<[number, number]>('INSERT OR REPLACE INTO compaction (id, idx, term) VALUES (0, ?, ?)'),
      confState: db.prepare<[], { voters: string, learners: string }>('SELECT voters, learners FROM conf_state WHERE id = 0'),
      putConfState: db.prepare<[string, string]>('INSERT OR REPLACE INTO conf_state (id, voters, learners) VALUES (0, ?, ?)')
    }
    this.tail = new SqliteTailCache(options.cachedEntries ?? 4096, options.cachedBytes ?? 8 * 1024 * 1024)

    const hs = this.stmt.hardState.get()
    const meta = this.stmt.snapshotMeta.get()
    const conf = this.stmt.confState.get()
    const compaction = this.stmt.compaction.get()
    assert(hs !== undefined && meta !== undefined && conf !== undefined && compaction !== undefined, 'raft storage file lacks its hard state, snapshot, compaction or conf state row')
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit_index }
    this.confState = parseConfState(conf.voters, conf.learners)
    this.snapIndex = meta.idx
    this.snapTerm = meta.term
    this.compactIndex = compaction.idx
    this.compactTerm = compaction.term
    this.last = this.stmt.lastIndex.get()?.last ?? this.compactIndex
    const first = this.stmt.firstIndex.get()?.first
    assert(this.compactIndex <= this.snapIndex, 'raft storage file: compacted past its snapshot', { compactIndex: this.compactIndex, snapshotIndex: this.snapIndex })
    assert(first === null || first === undefined || (first === this.compactIndex + 1 && this.last - first + 1 === this.countEntries()),
      'raft storage file: the log must start right after the compaction point and have no gaps', { first, last: this.last, compactIndex: this.compactIndex })
  }

  /** open (creating if missing) the storage file at path */
  static open (path: string, options: SqliteRaftStorageOptions = {}): SqliteRaftStorage {
    const conf = options.initialConfState ?? EMPTY_CONF
    return openVersionedSqlite(path, {
      describe: 'raft storage',
      version: SCHEMA_VERSION,
      createSchema: (db) => {
        db.exec(SCHEMA_SQL)
        db.prepare('INSERT INTO hard_state (id, term, vote, commit_index) VALUES (0, 0, \'\', 0)').run()
        db.prepare('INSERT INTO snapshot (id, idx, term, data) VALUES (0, 0, 0, ?)').run(Buffer.alloc(0))
        db.prepare('INSERT INTO compaction (id, idx, term) VALUES (0, 0, 0)').run()
        db.prepare('INSERT INTO conf_state (id, voters, learners) VALUES (0, ?, ?)').run(JSON.stringify(conf.voters), JSON.stringify(conf.learners))
      },
      wrap: (db) => new SqliteRaftStorage(db, options)
    })
  }

  initialState (): InitialState {
    this.assertOpen()
    return { hardState: this.hardState, confState: this.confState }
  }

  entries (lo: number, hi: number, maxSizeBytes = Infinity): Entry[] {
    this.assertOpen()
    if (lo <= this.compactIndex) throw new RaftStorageError('compacted', `entries from ${lo}: compacted up to ${this.compactIndex}`)
    if (hi > this.last + 1) throw new RaftStorageError('unavailable', `entries up to ${hi - 1}: last index is ${this.last}`)
    assert(lo <= hi, 'entries range must not be reversed', { lo, hi })
    const out = takeWithinSize([], this.tail.slice(lo, hi) ?? this.rowsFrom(lo, hi), maxSizeBytes)
    assert(lo === hi || out[0]?.index === lo, 'storage returned entries not starting at lo', { lo, hi, first: out[0]?.index })
    return out
  }

  /** rows read as they are taken: entries past the size cap are never fetched */
  private * rowsFrom (lo: number, hi: number): Generator<Entry> {
    for (const row of this.stmt.entriesFrom.iterate(lo, hi)) yield rowToEntry(row)
  }

  term (index: number): number {
    this.assertOpen()
    if (index < this.compactIndex) throw new RaftStorageError('compacted', `term of ${index}: compacted up to ${this.compactIndex}`)
    if (index === this.compactIndex) return this.compactTerm
    if (index > this.last) throw new RaftStorageError('unavailable', `term of ${index}: last index is ${this.last}`)
    const cached = this.tail.get(index)
    if (cached !== undefined) return cached.term
    const row = this.stmt.term.get(index)
    assert(row !== undefined, 'entry inside the log bounds is missing from the file', { index, first: this.compactIndex + 1, last: this.last })
    return row.term
  }

  firstIndex (): number {
    return this.compactIndex + 1
  }

  lastIndex (): number {
    return this.last
  }

  snapshot (): Snapshot {
    this.assertOpen()
    if (this.snap === undefined) {
      const row = this.stmt.snapshotData.get()
      assert(row !== undefined, 'snapshot row missing')
      this.snap = { metadata: { index: this.snapIndex, term: this.snapTerm, confState: this.confState }, data: toBytes(row.data) }
    }
    return this.snap
  }

  save (batch: SaveBatch): void {
    this.assertOpen()
    // check what can be checked before writing; the transaction undoes anything that fails later
    const snap = batch.snapshot
    if (snap !== undefined && snap.metadata.index <= this.snapIndex) {
      throw new RaftStorageError('snapshotOutOfDate', `snapshot ${snap.metadata.index} is not newer than ${this.snapIndex}`)
    }
    const base = snap === undefined ? this.last : snap.metadata.index
    const first = batch.entries[0]
    if (first !== undefined) {
      assert(first.index <= base + 1, 'appended entries must not leave a gap in the log', { first: first.index, lastIndex: base })
      batch.entries.forEach((e, i) => assert(e.index === first.index + i, 'appended entries must be contiguous', { at: i, index: e.index, first: first.index }))
    }
    const hs = batch.hardState
    if (hs !== undefined) {
      assert(hs.term >= this.hardState.term, 'term never decreases', { saved: this.hardState, batch: hs })
      assert(hs.commit >= this.hardState.commit, 'the commit index never decreases', { saved: this.hardState, batch: hs })
    }
    const offset = snap?.metadata.index ?? this.compactIndex
    // entries at or before the compaction point (or the new snapshot) are already covered
    const fresh = first === undefined || first.index > offset ? batch.entries : batch.entries.filter(e => e.index > offset)
    const replaceFrom = snap === undefined ? fresh[0]?.index : undefined
    // Raft never replaces a committed entry (Log Matching + Leader Completeness); a batch that would
    // is a core bug, and storing it would leave a snapshot or commit index past the log
    if (replaceFrom !== undefined && replaceFrom <= this.last) {
      assert(replaceFrom > this.hardState.commit, 'committed entries are never replaced', { from: replaceFrom, commit: this.hardState.commit, lastIndex: this.last })
    }

    this.db.transaction(() => {
      if (hs !== undefined) this.stmt.putHardState.run(hs.term, hs.vote, hs.commit)
      if (snap !== undefined) {
        // §7: installing a snapshot replaces the whole log (etcd's ApplySnapshot)
        this.stmt.deleteAll.run()
        this.writeSnapshot(snap)
        this.stmt.putCompaction.run(snap.metadata.index, snap.metadata.term)
      }
      const from = fresh[0]?.index
      if (from !== undefined) {
        if (snap === undefined && from <= this.last) this.stmt.deleteFrom.run(from)
        for (const e of fresh) this.insertEntry(e)
      }
    })()

    // committed: now the cache may follow
    if (hs !== undefined) this.hardState = hs
    if (snap !== undefined) {
      this.setSnapshot(snap)
      this.compactIndex = snap.metadata.index
      this.compactTerm = snap.metadata.term
      this.tail.clear()
      this.last = snap.metadata.index
    }
    const lastFresh = fresh[fresh.length - 1]
    if (lastFresh !== undefined) {
      this.tail.append(fresh)
      this.last = lastFresh.index
    }
  }

  createSnapshot (index: number, confState: ConfState, data: Uint8Array): Snapshot {
    this.assertOpen()
    if (index <= this.snapIndex) throw new RaftStorageError('snapshotOutOfDate', `snapshot at ${index} is not newer than ${this.snapIndex}`)
    assert(index <= this.last, 'snapshot index must be in the log', { index, lastIndex: this.last })
    assert(index <= this.hardState.commit, 'only committed state can be snapshotted', { index, commit: this.hardState.commit })
    const snap: Snapshot = { metadata: { index, term: this.term(index), confState: copyConf(confState) }, data }
    // snapshot and conf state rows together; the log stays until compact()
    this.db.transaction(() => this.writeSnapshot(snap))()
    this.setSnapshot(snap)
    return snap
  }

  compact (compactIndex: number): void {
    this.assertOpen()
    if (compactIndex <= this.compactIndex) return // already compacted
    assert(compactIndex <= this.snapIndex, 'cannot compact past the snapshot index', { compactIndex, snapshotIndex: this.snapIndex })
    const term = this.term(compactIndex)
    this.db.transaction(() => {
      this.stmt.deleteThrough.run(compactIndex)
      this.stmt.putCompaction.run(compactIndex, term)
    })()
    this.compactIndex = compactIndex
    this.compactTerm = term
    this.tail.dropThrough(compactIndex)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  private writeSnapshot (snap: Snapshot): void {
    const { index, term, confState } = snap.metadata
    assert(Number.isSafeInteger(index) && index >= 0 && Number.isSafeInteger(term) && term >= 0, 'snapshot index and term must be non-negative integers', snap.metadata)
    assert(snap.data instanceof Uint8Array, 'snapshot data must be bytes')
    this.stmt.putSnapshot.run(index, term, toBuffer(snap.data))
    this.stmt.putConfState.run(JSON.stringify(confState.voters), JSON.stringify(confState.learners))
  }

  private setSnapshot (snap: Snapshot): void {
    this.snapIndex = snap.metadata.index
    this.snapTerm = snap.metadata.term
    this.confState = copyConf(snap.metadata.confState)
    this.snap = { metadata: { ...snap.metadata, confState: this.confState }, data: snap.data }
  }

  private insertEntry (e: Entry): void {
    // asserted inside the transaction: a bad entry rolls back everything written before it
    assert(Number.isSafeInteger(e.term) && e.term >= 0, 'entry term must be a non-negative integer', { index: e.index, term: e.term })
    assert(e.data instanceof Uint8Array, 'entry data must be bytes', { index: e.index })
    const type = ENTRY_TYPE_CODES[e.type]
    assert(type !== undefined, 'unknown entry type', { index: e.index, type: e.type })
    this.stmt.insertEntry.run(e.index, e.term, type, toBuffer(e.data))
  }

  private countEntries (): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n
  }

  private assertOpen (): void {
    assert(!this.closed, 'sqlite raft storage used after close()')
  }
}

const TYPE_BY_CODE: readonly EntryType[] = ['normal', 'confChange']

function rowToEntry (row: EntryRow): Entry {
  const type = TYPE_BY_CODE[row.type]
  assert(type !== undefined, 'stored entry has an unknown type code', { index: row.idx, type: row.type })
  return { index: row.idx, term: row.term, type, data: toBytes(row.data) }
}

/** a plain Uint8Array view (better-sqlite3 returns a fresh Buffer per blob, so sharing is safe) */
function toBytes (b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function toBuffer (u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}

function parseConfState (voters: string, learners: string): ConfState {
  const v: unknown = JSON.parse(voters)
  const l: unknown = JSON.parse(learners)
  assert(Array.isArray(v) && v.every(x => typeof x === 'string') && Array.isArray(l) && l.every(x => typeof x === 'string'), 'stored conf state is not two lists of node ids', { voters, learners })
  return { voters: v as string[], learners: l as string[] }
}

function copyConf (c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] }
}
