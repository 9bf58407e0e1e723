// Checks the metadata database: migrations bring a new file to the current user_version and
// are not re-run on reopen, a data dir of schema 1 gains the cached-copy mark with every
// existing chunk a copy (not cached) and a store count starting at 0, a database from a newer build is refused (INVALID_CONFIG), durable
// settings are on, and a second opener of the same data dir is refused at once (STORAGE_IO).
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { openDatabase, schemaVersion } from '../../src/store/database.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { makeTempDir, openTestService, rejectsWith, throwsWith } from '../fixtures-storage/helpers.js'

describe('metadata database', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  beforeEach(async () => { temp = await makeTempDir() })
  afterEach(async () => { await temp.cleanup() })

  it('migrates once, keeps data across reopen, and uses WAL with synchronous=FULL', () => {
    const path = join(temp.dir, 'meta.sqlite')
    const db = openDatabase(path)
    assert.equal(schemaVersion(db), MIGRATIONS.length)
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
    assert.equal(db.pragma('synchronous', { simple: true }), 2)
    db.prepare("UPDATE meta SET value = 42 WHERE key = 'applied_index'").run()
    db.close()
    const again = openDatabase(path)
    assert.equal(again.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'applied_index'").get()?.value, 42)
    again.close()
  })

  it('brings a schema-1 data dir forward: its chunks stay copies, not cached copies', () => {
    const path = join(temp.dir, 'meta.sqlite')
    const old = new Database(path)
    old.exec(MIGRATIONS[0] as string)
    old.pragma('user_version = 1')
    old.prepare("INSERT INTO chunks (cid, size_bytes, refcount, state, created_at_ms, touched_at_ms) VALUES ('c1', 10, 1, 'ok', 1, 1)").run()
    old.close()
    const db = openDatabase(path)
    assert.equal(schemaVersion(db), MIGRATIONS.length)
    assert.deepEqual(db.prepare('SELECT cid, state, cached, times_stored FROM chunks').all(), [{ cid: 'c1', state: 'ok', cached: 0, times_stored: 0 }])
    // its stores count on from there (migration 7)
    assert.equal(new ChunkIndex(db).recordStored('c1', 10, 2), 1)
    db.close()
  })

  it('refuses a database written by a newer schema', () => {
    const path = join(temp.dir, 'meta.sqlite')
    const raw = new Database(path)
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    raw.close()
    throwsWith(() => openDatabase(path), 'INVALID_CONFIG', /newer than this build/)
  })

  it('refuses a second opener of the same data dir immediately', async () => {
    const first = openDatabase(join(temp.dir, 'meta.sqlite'))
    try {
      const started = Date.now()
      throwsWith(() => openDatabase(join(temp.dir, 'meta.sqlite')), 'STORAGE_IO', /in use by another process/)
      assert.ok(Date.now() - started < 1000)
    } finally {
      first.close()
    }
    openDatabase(join(temp.dir, 'meta.sqlite')).close()
  })

  it('the file service reports a locked data dir as STORAGE_IO', async () => {
    const t = await openTestService({}, {}, temp.dir)
    try {
      await rejectsWith(openTestService({}, {}, temp.dir), 'STORAGE_IO', /in use/)
    } finally {
      await t.service.close()
    }
  })
})
