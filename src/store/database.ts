// Opens <dataDir>/meta.sqlite. WAL lets readers run beside the writer; synchronous=FULL makes
// every committed transaction durable before we acknowledge it to a client.
import Database from 'better-sqlite3'
import { JadfsError } from '../errors.js'
import { MIGRATIONS } from './migrations.js'
import { toStorageError } from './storage-error.js'

export type Db = Database.Database

export function openDatabase (path: string): Db {
  let db: Db | undefined
  try {
    // timeout 0 while opening: a data dir locked by another process fails now, not in 5 s
    db = new Database(path, { timeout: 0 })
    // one process per data dir: chunk GC in a second process could delete chunks the first
    // one is about to reference. EXCLUSIVE holds the lock from the first write until close;
    // the empty write transaction takes it now.
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.exec('BEGIN IMMEDIATE; COMMIT')
    db.pragma('busy_timeout = 5000')
  } catch (err) {
    db?.close()
    if (typeof err === 'object' && err !== null && 'code' in err && String(err.code).startsWith('SQLITE_BUSY')) {
      throw new JadfsError('STORAGE_IO', `the data directory is in use by another process (${path} is locked)`, { cause: err })
    }
    throw toStorageError(err, `opening ${path}`)
  }
  try {
    migrate(db)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

export function schemaVersion (db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

function migrate (db: Db): void {
  const current = schemaVersion(db)
  if (current > MIGRATIONS.length) {
    throw new JadfsError('INVALID_CONFIG',
      `the metadata database has schema version ${current}, newer than this build knows (${MIGRATIONS.length}); use a newer jadfs`)
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version - 1] as string
    db.transaction(() => {
      db.exec(sql)
      db.pragma(`user_version = ${version}`)
    })()
  }
}
