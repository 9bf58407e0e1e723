// Checks the running totals status and /metrics read (migration 5's triggers) against a full
// count of the tables: through random sequences of every chunk-index and file-table change the
// stores make (stored, cached, kept, evicted, bad, deleted, references added and released,
// refcounts reset, files put, overwritten, deleted and cleared), the totals equal
// COUNT/SUM over the rows after each step (property). Also that a schema-4 database with rows
// is counted when it migrates, that storing a chunk again unchanged writes no total (the
// trigger fires only on a real change), and that a data dir migrated to schema 2 by the first
// builds gains the cached-copies index the later edit of migration 2 gave only new ones.
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import type { FileRecord } from '../../src/files/file-service.js'
import { FileTable } from '../../src/namespace/file-table.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { openDatabase, type Db } from '../../src/store/database.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { makeTempDir, sha256Hex } from '../fixtures-storage/helpers.js'

const cids = Array.from({ length: 3 }, (_, i) => chunkCidFromSha256(Buffer.from(sha256Hex(Buffer.from([i])), 'hex')))
const sizeOf = (i: number): number => 1000 + i

function counted (db: Db): { chunks: number, physicalBytes: number, badChunks: number, cachedChunks: number, files: number, logicalBytes: number } {
  const c = db.prepare<[], { n: number, b: number | null, bad: number | null, cached: number | null }>(`SELECT COUNT(*) AS n, SUM(size_bytes) AS b,
    SUM(state = 'bad') AS bad, SUM(cached) AS cached FROM chunks WHERE state != 'absent'`).get()!
  const f = db.prepare<[], { n: number, b: number | null }>('SELECT COUNT(*) AS n, SUM(size_bytes) AS b FROM files').get()!
  return { chunks: c.n, physicalBytes: c.b ?? 0, badChunks: c.bad ?? 0, cachedChunks: c.cached ?? 0, files: f.n, logicalBytes: f.b ?? 0 }
}

function kept (index: ChunkIndex, files: FileTable): ReturnType<typeof counted> {
  return { ...index.totals(), ...files.totals() }
}

function file (path: string, sizeBytes: number): FileRecord {
  return { path, sizeBytes, sha256: 'ab'.repeat(32), chunkSizeBytes: 65536, chunks: [], replication: { factor: 1, mode: 'sync' }, createdAtMs: 1, modifiedAtMs: 1, version: 1 }
}

const op = fc.oneof(
  fc.record({ k: fc.constant('stored' as const), c: fc.nat(2), cached: fc.boolean() }),
  fc.record({ k: fc.constant('keep' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('evict' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('bad' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('state' as const), c: fc.nat(2), state: fc.constantFrom('ok' as const, 'bad' as const, 'absent' as const) }),
  fc.record({ k: fc.constant('delete' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('ref' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('release' as const), c: fc.nat(2) }),
  fc.record({ k: fc.constant('reset' as const), refs: fc.array(fc.nat(2), { maxLength: 4 }) }),
  fc.record({ k: fc.constant('put' as const), f: fc.nat(1), size: fc.nat(5000) }),
  fc.record({ k: fc.constant('rm' as const), f: fc.nat(1) }),
  fc.record({ k: fc.constant('clear' as const) })
)

describe('running totals of files and chunks', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  before(async () => { temp = await makeTempDir() })
  after(async () => { await temp.cleanup() })

  it('equal a full count after every change the stores make (property)', () => {
    let run = 0
    fc.assert(fc.property(fc.array(op, { minLength: 20, maxLength: 60 }), (ops) => {
      const db = openDatabase(join(temp.dir, `t${run++}.sqlite`))
      try {
        const index = new ChunkIndex(db)
        const files = new FileTable(db)
        // one transaction for the whole sequence: the triggers run the same, without an fsync per step
        db.transaction(() => { for (const o of ops) {
          if (o.k === 'stored') {
            if (index.get(cids[o.c]!)?.state !== 'bad') index.recordStored(cids[o.c]!, sizeOf(o.c), 1, { cached: o.cached })
          } else if (o.k === 'keep') index.keepAsCopy(cids[o.c]!)
          else if (o.k === 'evict') { if (index.get(cids[o.c]!)?.cached === true && index.get(cids[o.c]!)?.state === 'ok') index.markEvicted(cids[o.c]!) } else if (o.k === 'bad') index.markBad(cids[o.c]!)
          else if (o.k === 'state') index.markState(cids[o.c]!, o.state)
          else if (o.k === 'delete') index.delete(cids[o.c]!)
          else if (o.k === 'ref') index.addRefs([{ cid: cids[o.c]!, sizeBytes: sizeOf(o.c) }], 2)
          else if (o.k === 'release') { if ((index.get(cids[o.c]!)?.refcount ?? 0) > 0) index.releaseRefs([cids[o.c]!], 3) } else if (o.k === 'reset') {
            const counts = new Map<string, { sizeBytes: number, refs: number }>()
            for (const c of o.refs) counts.set(cids[c]!, { sizeBytes: sizeOf(c), refs: (counts.get(cids[c]!)?.refs ?? 0) + 1 })
            index.resetRefcounts(counts, 4)
          } else if (o.k === 'put') files.put(file(`/f${o.f}`, o.size))
          else if (o.k === 'rm') { if (files.get(`/f${o.f}`) !== undefined) files.delete(`/f${o.f}`) } else files.clear()
          assert.deepEqual(kept(index, files), counted(db), `after ${JSON.stringify(o)}`)
        } })()
      } finally {
        db.close()
      }
    }), { numRuns: 100 })
  })

  it('storing a chunk again unchanged (every dedup store and push) writes no total', () => {
    const db = openDatabase(join(temp.dir, 'same.sqlite'))
    try {
      const index = new ChunkIndex(db)
      index.recordStored(cids[0]!, 10, 1)
      // a temporary trigger counts the writes to meta (total_changes() leaves out a trigger's)
      db.exec(`CREATE TEMP TABLE meta_writes (key TEXT);
        CREATE TEMP TRIGGER count_meta_writes AFTER UPDATE ON main.meta BEGIN INSERT INTO meta_writes VALUES (NEW.key); END;`)
      const writes = (): number => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM meta_writes').get()!.n
      index.recordStored(cids[0]!, 10, 2)
      assert.equal(writes(), 0, 'nothing changed, nothing written')
      assert.ok(index.markBad(cids[0]!))
      assert.equal(writes(), 4, 'a real change writes the four chunk totals')
    } finally {
      db.close()
    }
  })

  it('a data dir at schema 2 as the first builds made it gains the cached-copies index', () => {
    const path = join(temp.dir, 'v2.sqlite')
    const raw = new Database(path)
    raw.exec(MIGRATIONS[0]!)
    // migration 2 as it shipped first, before the index was added to it
    raw.exec('ALTER TABLE chunks ADD COLUMN cached INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1));')
    raw.pragma('user_version = 2')
    raw.close()
    const db = openDatabase(path)
    try {
      const index = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'chunks_cached'").get()
      assert.equal(index?.name, 'chunks_cached')
    } finally {
      db.close()
    }
  })

  it('a schema-4 database with rows is counted when it migrates', () => {
    const path = join(temp.dir, 'v4.sqlite')
    const raw = new Database(path)
    for (let v = 0; v < 4; v++) raw.exec(MIGRATIONS[v]!)
    raw.pragma('user_version = 4')
    raw.prepare("INSERT INTO chunks (cid, size_bytes, refcount, state, created_at_ms, touched_at_ms, cached) VALUES (?, 10, 0, 'ok', 1, 1, 1), (?, 20, 1, 'bad', 1, 1, 0), (?, 40, 1, 'absent', 1, 1, 0)").run(cids[0], cids[1], cids[2])
    raw.prepare("INSERT INTO files (path, size_bytes, sha256, chunk_size_bytes, chunks_json, replication_factor, replication_mode, created_at_ms, modified_at_ms, version) VALUES ('/a', 7, 'x', 1, '[]', 1, 'sync', 1, 1, 1)").run()
    raw.close()
    const db = openDatabase(path)
    try {
      assert.deepEqual(kept(new ChunkIndex(db), new FileTable(db)), { chunks: 2, physicalBytes: 30, badChunks: 1, cachedChunks: 1, files: 1, logicalBytes: 7 })
    } finally {
      db.close()
    }
  })
})
