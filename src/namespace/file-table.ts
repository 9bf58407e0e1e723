// The files table: path → file record. Synchronous, so the state machine can use it inside
// one transaction together with chunk refcounts and the applied index.
import type { Statement } from 'better-sqlite3'
import type { Db } from '../store/database.js'
import type { ChunkRef, FileRecord, ReplicationMode } from '../files/file-service.js'
import { assert } from '../util/assert.js'

interface RawFile {
  path: string
  size_bytes: number
  sha256: string
  chunk_size_bytes: number
  chunks_json: string
  replication_factor: number
  replication_mode: ReplicationMode
  created_at_ms: number
  modified_at_ms: number
  version: number
}

export class FileTable {
  private readonly selectOne: Statement<[string], RawFile>
  private readonly upsert: Statement<RawFile>
  private readonly deleteOne: Statement<[string]>
  private readonly selectFrom: Statement<[string], RawFile>
  private readonly selectAfter: Statement<[string], RawFile>
  private readonly selectTotals: Statement<[], { files: number | null, bytes: number | null }>

  constructor (private readonly db: Db) {
    this.selectOne = db.prepare('SELECT * FROM files WHERE path = ?')
    // an upsert, not INSERT OR REPLACE: the row a REPLACE deletes fires no trigger, and the
    // running totals (migration 5) are kept by triggers
    this.upsert = db.prepare(`INSERT INTO files (path, size_bytes, sha256, chunk_size_bytes, chunks_json,
      replication_factor, replication_mode, created_at_ms, modified_at_ms, version)
      VALUES (@path, @size_bytes, @sha256, @chunk_size_bytes, @chunks_json, @replication_factor, @replication_mode,
      @created_at_ms, @modified_at_ms, @version)
      ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes, sha256 = excluded.sha256,
      chunk_size_bytes = excluded.chunk_size_bytes, chunks_json = excluded.chunks_json,
      replication_factor = excluded.replication_factor, replication_mode = excluded.replication_mode,
      created_at_ms = excluded.created_at_ms, modified_at_ms = excluded.modified_at_ms, version = excluded.version`)
    this.deleteOne = db.prepare('DELETE FROM files WHERE path = ?')
    // TEXT compares as UTF-8 bytes (BINARY), so paths sharing a prefix are contiguous from it
    this.selectFrom = db.prepare('SELECT * FROM files WHERE path >= ? ORDER BY path')
    this.selectAfter = db.prepare('SELECT * FROM files WHERE path > ? ORDER BY path')
    this.selectTotals = db.prepare("SELECT (SELECT value FROM meta WHERE key = 'files') AS files, (SELECT value FROM meta WHERE key = 'file_bytes') AS bytes")
  }

  get (path: string): FileRecord | undefined {
    const raw = this.selectOne.get(path)
    return raw === undefined ? undefined : fromRaw(raw)
  }

  put (record: FileRecord): void {
    this.upsert.run(toRaw(record))
  }

  delete (path: string): void {
    const { changes } = this.deleteOne.run(path)
    assert(changes === 1, 'deleted a path that was not there', { path })
  }

  /** up to limit records whose path starts with prefix, strictly after afterPath (which must share the prefix) */
  list (prefix: string, afterPath: string | undefined, limit: number): FileRecord[] {
    assert(afterPath === undefined || afterPath.startsWith(prefix), 'list cursor outside its prefix', { prefix, afterPath })
    const rows = afterPath === undefined ? this.selectFrom.iterate(prefix) : this.selectAfter.iterate(afterPath)
    const out: FileRecord[] = []
    for (const raw of rows) {
      if (!raw.path.startsWith(prefix) || out.length === limit) break
      out.push(fromRaw(raw))
    }
    return out
  }

  all (): FileRecord[] {
    return this.db.prepare<[], RawFile>('SELECT * FROM files ORDER BY path').all().map(fromRaw)
  }

  clear (): void {
    this.db.prepare('DELETE FROM files').run()
  }

  /** kept by triggers (migration 5), not counted: status and every /metrics scrape read them */
  totals (): { files: number, logicalBytes: number } {
    const row = this.selectTotals.get()
    assert(row !== undefined && row.files !== null && row.bytes !== null, 'the file totals are missing from meta')
    return { files: row.files, logicalBytes: row.bytes }
  }
}

function toRaw (record: FileRecord): RawFile {
  return {
    path: record.path,
    size_bytes: record.sizeBytes,
    sha256: record.sha256,
    chunk_size_bytes: record.chunkSizeBytes,
    chunks_json: JSON.stringify(record.chunks.map((c) => [c.cid, c.sizeBytes])),
    replication_factor: record.replication.factor,
    replication_mode: record.replication.mode,
    created_at_ms: record.createdAtMs,
    modified_at_ms: record.modifiedAtMs,
    version: record.version
  }
}

function fromRaw (raw: RawFile): FileRecord {
  const pairs = JSON.parse(raw.chunks_json) as Array<[string, number]>
  const chunks: ChunkRef[] = pairs.map(([cid, sizeBytes]) => ({ cid, sizeBytes }))
  return {
    path: raw.path,
    sizeBytes: raw.size_bytes,
    sha256: raw.sha256,
    chunkSizeBytes: raw.chunk_size_bytes,
    chunks,
    replication: { factor: raw.replication_factor, mode: raw.replication_mode },
    createdAtMs: raw.created_at_ms,
    modifiedAtMs: raw.modified_at_ms,
    version: raw.version
  }
}
