// Checks the shared opener of versioned SQLite files on real files in a temp directory: a new
// file gets its schema and user_version once, in WAL mode with synchronous=FULL; reopening it
// does not create the schema again and keeps the rows; a file of a newer version is refused
// (STORAGE_IO naming the file and both versions) and left closed; a createSchema that throws
// leaves the file without a version (so the next open creates it), and a wrap that throws
// leaves it closed. "Closed" is checked from a second connection: SQLite lets it take the file
// out of WAL mode only when no other connection holds the file open.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { isJadfsError } from '../../src/errors.js'
import { openVersionedSqlite, type VersionedSqliteSpec } from '../../src/util/versioned-sqlite.js'

/** whether another connection still has the file open (leaves the file in rollback-journal mode) */
function heldOpen (path: string): boolean {
  const probe = new Database(path, { timeout: 0 })
  try {
    probe.pragma('journal_mode = DELETE')
    return false
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return true
    throw err
  } finally {
    probe.close()
  }
}

function userVersion (path: string): number {
  const raw = new Database(path)
  try {
    return raw.pragma('user_version', { simple: true }) as number
  } finally {
    raw.close()
  }
}

describe('openVersionedSqlite', () => {
  let dir: string
  let path: string
  let schemaCreated: number
  const spec = (overrides: Partial<VersionedSqliteSpec<Database.Database>> = {}): VersionedSqliteSpec<Database.Database> => ({
    describe: 'test file',
    version: 2,
    createSchema: (db) => {
      schemaCreated++
      db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)')
    },
    wrap: (db) => db,
    ...overrides
  })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jadfs-versioned-sqlite-'))
    path = join(dir, 'file.sqlite')
    schemaCreated = 0
  })

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('gives a new file its schema and version, in WAL mode with synchronous=FULL', () => {
    const db = openVersionedSqlite(path, spec())
    try {
      assert.equal(schemaCreated, 1)
      assert.equal(db.pragma('user_version', { simple: true }), 2)
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
      assert.equal(db.pragma('synchronous', { simple: true }), 2)
      assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM items').get(), { n: 0 })
      assert.ok(heldOpen(path), 'the returned database holds the file open')
    } finally {
      db.close()
    }
    assert.ok(!heldOpen(path))
  })

  it('reopens a file of its version without creating the schema again', () => {
    const first = openVersionedSqlite(path, spec())
    first.prepare('INSERT INTO items (name) VALUES (?)').run('kept')
    first.close()
    const again = openVersionedSqlite(path, spec())
    try {
      assert.equal(schemaCreated, 1)
      assert.deepEqual(again.prepare('SELECT name FROM items').all(), [{ name: 'kept' }])
    } finally {
      again.close()
    }
  })

  it('refuses a file of a newer version and leaves it closed', () => {
    const raw = new Database(path)
    raw.pragma('user_version = 3')
    raw.close()
    let wrapped = false
    assert.throws(() => openVersionedSqlite(path, spec({ wrap: (db) => { wrapped = true; return db } })), (err: unknown) => {
      assert.ok(isJadfsError(err, 'STORAGE_IO'), String(err))
      assert.equal(err.message, `test file ${path} has schema version 3; this build reads version 2`)
      assert.deepEqual(err.details, { path, version: 3 })
      return true
    })
    assert.equal(schemaCreated, 0)
    assert.ok(!wrapped)
    assert.ok(!heldOpen(path))
    assert.equal(userVersion(path), 3)
  })

  it('leaves a file whose createSchema threw without a version, so the next open creates it', () => {
    const boom = new Error('schema failed')
    assert.throws(() => openVersionedSqlite(path, spec({
      createSchema: (db) => {
        db.exec('CREATE TABLE half (id INTEGER)')
        throw boom
      }
    })), (err: unknown) => err === boom)
    assert.ok(!heldOpen(path))
    assert.equal(userVersion(path), 0)
    const db = openVersionedSqlite(path, spec())
    try {
      assert.equal(schemaCreated, 1)
      assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'items' }])
    } finally {
      db.close()
    }
  })

  it('closes the database when wrap throws', () => {
    const boom = new Error('wrap failed')
    assert.throws(() => openVersionedSqlite(path, spec({ wrap: () => { throw boom } })), (err: unknown) => err === boom)
    assert.ok(!heldOpen(path))
    // the schema was committed before wrap ran
    assert.equal(userVersion(path), 2)
  })
})
