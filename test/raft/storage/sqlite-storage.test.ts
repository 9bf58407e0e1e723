// Runs the storage compliance suite on SqliteRaftStorage over real files in a temp directory
// (once with the default in-memory tail cache and once with a tiny one, so reads go to SQLite),
// then SQLite-specific checks: reopen after close, a save that fails inside its transaction
// leaves neither the file nor the cache changed, a process killed right after save() returned
// loses nothing, an unknown schema version is refused, and the pragmas that make a save durable
// are in effect.

import { strict as assert } from 'node:assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SqliteRaftStorage, type SqliteRaftStorageOptions } from '../../../src/raft/storage/sqlite-storage.js'
import type { ConfState, Entry } from '../../../src/raft/types.js'
import { describeRaftStorageCompliance, type StorageUnderTest } from './storage-compliance.js'

interface TempStorage extends StorageUnderTest {
  readonly path: string
  readonly storage: SqliteRaftStorage
  readonly reopen: () => SqliteRaftStorage
}

function openTemp (options: SqliteRaftStorageOptions): TempStorage {
  const dir = mkdtempSync(join(tmpdir(), 'jadfs-raft-sqlite-'))
  const path = join(dir, 'raft.db')
  let current = SqliteRaftStorage.open(path, options)
  return {
    path,
    get storage () { return current },
    reopen: () => {
      current.close()
      current = SqliteRaftStorage.open(path, options)
      return current
    },
    cleanup: () => {
      current.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

describeRaftStorageCompliance('sqlite', (initialConfState?: ConfState) => openTemp(initialConfState === undefined ? {} : { initialConfState }))
describeRaftStorageCompliance('sqlite, 2-entry cache', (initialConfState?: ConfState) =>
  openTemp({ cachedEntries: 2, cachedBytes: 16, ...(initialConfState === undefined ? {} : { initialConfState }) }))

const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`e${index}t${term}`) })

describe('sqlite raft storage', () => {
  let t: TempStorage
  beforeEach(() => { t = openTemp({}) })
  afterEach(() => t.cleanup())

  it('reopens after close with the same state, and refuses use after close', () => {
    t.storage.save({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 'n1', commit: 1 } })
    t.storage.close()
    assert.throws(() => t.storage.term(1), /after close/)
    assert.throws(() => t.storage.save({ entries: [ent(3, 1)] }), /after close/)
    const s = SqliteRaftStorage.open(t.path)
    try {
      assert.equal(s.lastIndex(), 2)
      assert.deepEqual(s.initialState().hardState, { term: 1, vote: 'n1', commit: 1 })
    } finally {
      s.close()
    }
  })

  it('keeps the initial conf state of an existing file when reopened with another', () => {
    const conf = { voters: ['a'], learners: [] }
    t.storage.close()
    const s = SqliteRaftStorage.open(t.path, { initialConfState: conf })
    s.close()
    // the file was created by openTemp with the empty configuration
    const again = SqliteRaftStorage.open(t.path, { initialConfState: conf })
    try {
      assert.deepEqual(again.initialState().confState, { voters: [], learners: [] })
    } finally {
      again.close()
    }
  })

  it('leaves nothing partial when a save fails inside its transaction', () => {
    t.storage.save({ entries: [1, 2, 3, 4, 5].map(i => ent(i, 1)), hardState: { term: 1, vote: 'n1', commit: 2 } })
    // a trigger makes SQLite itself fail the insert of index 4, after the hard state was written,
    // the old suffix deleted and index 3 inserted
    const side = new Database(t.path)
    side.exec("CREATE TRIGGER fail_at_4 BEFORE INSERT ON entries WHEN NEW.idx = 4 BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
    side.close()
    const before = snapshotOf(t.storage)
    assert.throws(() => t.storage.save({ entries: [ent(3, 2), ent(4, 2), ent(5, 2)], hardState: { term: 2, vote: 'n2', commit: 3 } }), /injected failure/)
    assert.deepEqual(snapshotOf(t.storage), before, 'in-memory view unchanged')
    const dropper = new Database(t.path)
    dropper.exec('DROP TRIGGER fail_at_4')
    dropper.close()
    assert.deepEqual(snapshotOf(t.reopen()), before, 'file unchanged')
  })

  it('rolls back a save whose entry fails validation after earlier writes', () => {
    t.storage.save({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: '', commit: 0 } })
    const before = snapshotOf(t.storage)
    const bad = { index: 3, term: 1, type: 'normal', data: 'not bytes' } as unknown as Entry
    assert.throws(() => t.storage.save({ entries: [ent(2, 2), bad], hardState: { term: 2, vote: 'n2', commit: 0 } }), /entry data must be bytes/)
    assert.deepEqual(snapshotOf(t.storage), before)
    assert.deepEqual(snapshotOf(t.reopen()), before)
  })

  it('keeps every returned save when the process is killed without closing the database', () => {
    t.storage.close()
    // a child process saves, then SIGKILLs itself: no close(), no WAL checkpoint, no exit hooks
    const storageModule = new URL('../../../src/raft/storage/sqlite-storage.js', import.meta.url).href
    const script = `
      const { SqliteRaftStorage } = await import(${JSON.stringify(storageModule)})
      const s = SqliteRaftStorage.open(${JSON.stringify(t.path)})
      const enc = new TextEncoder()
      for (let i = 1; i <= 200; i++) s.save({ entries: [{ index: i, term: 1 + (i >> 6), type: 'normal', data: enc.encode('e' + i) }], hardState: { term: 1 + (i >> 6), vote: 'n1', commit: i - 1 } })
      s.createSnapshot(150, { voters: ['n1'], learners: [] }, enc.encode('snap'))
      s.compact(100)
      process.kill(process.pid, 'SIGKILL')`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    assert.equal(child.signal, 'SIGKILL', child.stderr)
    const s = t.reopen()
    assert.equal(s.firstIndex(), 101)
    assert.equal(s.lastIndex(), 200)
    assert.deepEqual(s.initialState(), { hardState: { term: 4, vote: 'n1', commit: 199 }, confState: { voters: ['n1'], learners: [] } })
    assert.equal(new TextDecoder().decode(s.entries(200, 201)[0]!.data), 'e200')
    assert.equal(s.term(100), 2)
    assert.deepEqual({ index: s.snapshot().metadata.index, data: new TextDecoder().decode(s.snapshot().data) }, { index: 150, data: 'snap' })
  })

  it('refuses a file with an unknown schema version', () => {
    t.storage.close()
    const db = new Database(t.path)
    db.pragma('user_version = 99')
    db.close()
    assert.throws(() => SqliteRaftStorage.open(t.path), /schema version 99/)
    const fix = new Database(t.path)
    fix.pragma('user_version = 1')
    fix.close()
  })

  it('runs in WAL mode with synchronous=FULL', () => {
    const db = new Database(t.path, { readonly: true })
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
    } finally {
      db.close()
    }
    // synchronous is per connection: check the storage's own through its private handle
    const own = (t.storage as unknown as { db: Database.Database }).db
    assert.equal(own.pragma('synchronous', { simple: true }), 2)
  })

  it('serves term() and entries() for old indexes past the tail cache', () => {
    const s = t.reopen()
    const small = SqliteRaftStorage.open(join(t.path + '-small'), { cachedEntries: 4, cachedBytes: 1024 })
    try {
      const log = Array.from({ length: 50 }, (_, i) => ent(i + 1, 1 + Math.floor(i / 10)))
      for (const e of log) { s.save({ entries: [e] }); small.save({ entries: [e] }) }
      for (const st of [s, small]) {
        assert.deepEqual(log.map(e => st.term(e.index)), log.map(e => e.term))
        assert.deepEqual(st.entries(1, 51).map(e => e.term), log.map(e => e.term))
        assert.deepEqual(st.entries(48, 51).map(e => e.index), [48, 49, 50])
      }
    } finally {
      small.close()
      rmSync(t.path + '-small', { force: true })
      rmSync(t.path + '-small-wal', { force: true })
      rmSync(t.path + '-small-shm', { force: true })
    }
  })
})

function snapshotOf (s: SqliteRaftStorage): unknown {
  return {
    first: s.firstIndex(),
    last: s.lastIndex(),
    initial: s.initialState(),
    entries: s.entries(s.firstIndex(), s.lastIndex() + 1).map(e => ({ ...e, data: Buffer.from(e.data).toString('hex') })),
    terms: Array.from({ length: s.lastIndex() - s.firstIndex() + 2 }, (_, i) => s.term(s.firstIndex() - 1 + i))
  }
}
