// Opens <dataDir>/meta.sqlite. WAL lets readers run beside the writer; synchronous=FULL makes
// every committed transaction durable before we acknowledge it to a client.
import Database from 'better-sqlite3'
import { JadfsError } from '../errors.js'
import { MIGRATIONS } from './migrations.js'
import { toStorageError } from './storage-error.js'

export type Db = Database.Database

export function openDatabase (path: string): Db {
  let db: Db
  try {
    db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
  } catch (err) {
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
