// Opens a SQLite file whose layout is versioned by PRAGMA user_version (the replication queue,
// the Raft log). WAL + synchronous=FULL: a commit is on disk when it returns, and readers never
// block the writer. A new file (version 0) gets its schema and its version in one transaction,
// so a crash while creating it leaves a file that is simply created again on the next open. A
// file of any other version is refused, not misread: these files have no migrations yet.
// Whatever fails, the database is closed again, so a refused open leaves nothing holding the file.
import Database from 'better-sqlite3'
import { JadfsError } from '../errors.js'
import { assert } from './assert.js'

export interface VersionedSqliteSpec<T> {
  /** what the file holds, for the refusal message ("replication queue", "raft storage") */
  readonly describe: string
  /** the one schema version this build reads and creates; at least 1 (0 is a file without one) */
  readonly version: number
  /** creates the tables (and any first rows) of a new file; runs in the transaction that sets the version */
  readonly createSchema: (db: Database.Database) => void
  /** builds what owns the open database from here on; if it throws, the database is closed */
  readonly wrap: (db: Database.Database) => T
}

/**
 * Opens (creating if missing) the SQLite file at `path`. Errors from SQLite or from the spec's
 * callbacks propagate as they are; a file of another version is STORAGE_IO.
 */
export function openVersionedSqlite<T> (path: string, spec: VersionedSqliteSpec<T>): T {
  assert(Number.isSafeInteger(spec.version) && spec.version >= 1, 'a schema version is an integer >= 1', { version: spec.version })
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    const found = db.pragma('user_version', { simple: true }) as number
    if (found === 0) {
      db.transaction(() => {
        spec.createSchema(db)
        db.pragma(`user_version = ${spec.version}`)
      })()
    } else if (found !== spec.version) {
      throw new JadfsError('STORAGE_IO', `${spec.describe} ${path} has schema version ${found}; this build reads version ${spec.version}`, { details: { path, version: found } })
    }
    return spec.wrap(db)
  } catch (err) {
    db.close()
    throw err
  }
}
