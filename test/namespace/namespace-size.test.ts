// Checks the namespace's bound (the JSON its snapshot carries) on a real SQLite file: the
// running total equals the bytes of a real snapshot's file list after any mix of puts,
// overwrites and deletes, after a restore, and when counted afresh for a data dir from before
// the bound; a put that would pass the bound is refused at exactly the bound, deterministically
// and with nothing changed, while deletes and shrinking overwrites are always taken; the
// forecast before an upload never says less than the record the put makes; and the bound
// fits both limits a snapshot meets.
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import fc from 'fast-check'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import type { NewFileRecord } from '../../src/namespace/commands.js'
import { estimateRecordSnapshotBytes, MAX_NAMESPACE_SNAPSHOT_BYTES, recordSnapshotBytes } from '../../src/namespace/namespace-size.js'
import { decodeSnapshot, MAX_SNAPSHOT_JSON_BYTES } from '../../src/namespace/snapshot-codec.js'
import { NamespaceStateMachine } from '../../src/namespace/state-machine.js'
import { DEFAULT_MAX_SNAPSHOT_BYTES } from '../../src/p2p/raft-transport/constants.js'
import Database from 'better-sqlite3'
import { FileTable } from '../../src/namespace/file-table.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { openDatabase, type Db } from '../../src/store/database.js'
import { makeTempDir, sha256Hex, throwsWith } from '../fixtures-storage/helpers.js'

const CHUNK = 65536
/** what the snapshot's fields around the file list may add to the namespace's bytes */
const SNAPSHOT_WRAPPER_BYTES = 1024
const cidOf = (n: number): string => chunkCidFromSha256(Buffer.from(sha256Hex(Buffer.from(String(n))), 'hex'))

function record (path: string, chunkCount: number, seed = 0): NewFileRecord {
  const chunks = Array.from({ length: chunkCount }, (_, i) => ({ cid: cidOf(seed * 1000 + i), sizeBytes: CHUNK }))
  return {
    path,
    sizeBytes: chunkCount * CHUNK,
    sha256: 'ab'.repeat(32),
    chunkSizeBytes: CHUNK,
    chunks,
    replication: { factor: 3, mode: 'sync' },
    modifiedAtMs: 1000
  }
}

/** the bytes of the file list inside a real snapshot, less its brackets, as the total counts them */
function filesJsonBytes (sm: NamespaceStateMachine): number {
  const { files } = decodeSnapshot(sm.snapshot()) as { files: unknown[] }
  return files.length === 0 ? 0 : Buffer.byteLength(JSON.stringify(files)) - 1
}

describe('namespace size bound', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  let dbs: Db[]
  let index: number

  beforeEach(async () => {
    temp = await makeTempDir()
    dbs = []
    index = 0
  })

  afterEach(async () => {
    for (const db of dbs) db.close()
    await temp.cleanup()
  })

  function open (name = 'meta.sqlite', maxSnapshotBytes?: number): NamespaceStateMachine {
    const db = openDatabase(join(temp.dir, name))
    dbs.push(db)
    return new NamespaceStateMachine({ db, chunks: new ChunkIndex(db), nowMs: () => 1, ...(maxSnapshotBytes === undefined ? {} : { maxSnapshotBytes }) })
  }

  it('the bound and the snapshot fields fit what a snapshot may inflate to and what a peer accepts', () => {
    assert.ok(MAX_NAMESPACE_SNAPSHOT_BYTES + SNAPSHOT_WRAPPER_BYTES <= MAX_SNAPSHOT_JSON_BYTES)
    // a snapshot's bytes are never more than its JSON plus Brotli's few framing bytes; the
    // Raft message around it (term, index, voters) is far smaller than the margin left
    assert.ok(MAX_NAMESPACE_SNAPSHOT_BYTES + SNAPSHOT_WRAPPER_BYTES + 1024 * 1024 <= DEFAULT_MAX_SNAPSHOT_BYTES)
    const sm = open()
    const empty = Buffer.byteLength(JSON.stringify(decodeSnapshot(sm.snapshot())))
    assert.equal(sm.snapshotBytes, 0)
    assert.ok(empty <= SNAPSHOT_WRAPPER_BYTES, `an empty snapshot's JSON has ${empty} bytes`)
  })

  it('keeps the exact bytes of the snapshot file list through puts, overwrites and deletes (property)', () => {
    // names with quotes (JSON escapes them) and characters of 2 to 4 UTF-8 bytes: the total
    // must count the bytes of the JSON, not characters
    const segment = fc.array(fc.constantFrom('a', 'b', '"', 'é', '€', '😀'), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''))
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), name: segment, chunks: fc.integer({ min: 0, max: 4 }), seed: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('delete' as const), name: segment })
    )
    let run = 0
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
      const sm = open(`p${run++}.sqlite`)
      let i = 0
      for (const o of ops) {
        const path = `/d/${o.name}`
        if (o.kind === 'put') sm.apply(++i, { type: 'putFile', record: record(path, o.chunks, o.seed) })
        else sm.apply(++i, { type: 'deleteFile', path })
        assert.equal(sm.snapshotBytes, filesJsonBytes(sm))
      }
      const restored = open(`r${run}.sqlite`)
      restored.restore(sm.snapshot(), i)
      assert.equal(restored.snapshotBytes, sm.snapshotBytes)
    }), { numRuns: 40 })
  })

  it('a schema-2 data dir (from before the bound) has its total counted when opened', () => {
    const path = join(temp.dir, 'schema2.sqlite')
    const old = new Database(path)
    old.exec(MIGRATIONS[0] as string)
    old.exec(MIGRATIONS[1] as string)
    old.pragma('user_version = 2')
    const files = new FileTable(old)
    files.put({ ...record('/a', 3, 1), createdAtMs: 5, version: 1 })
    files.put({ ...record('/b"é😀', 1, 2), createdAtMs: 7, version: 4 })
    old.close()

    const sm = open('schema2.sqlite')
    assert.ok(sm.snapshotBytes > 0)
    assert.equal(sm.snapshotBytes, filesJsonBytes(sm))
    // counted once: the total is kept from then on, not recounted at each open
    sm.apply(1, { type: 'putFile', record: record('/c', 2, 3) })
    assert.equal(sm.snapshotBytes, filesJsonBytes(sm))
    assert.equal(dbs[0]!.prepare("SELECT value FROM meta WHERE key = 'snapshot_bytes'").pluck().get(), sm.snapshotBytes)
  })

  it('takes a put that reaches the bound exactly and refuses one byte more, changing nothing', () => {
    const first = record('/first', 2, 1)
    const second = record('/second', 1, 2)
    const exact = recordSnapshotBytes({ ...first, createdAtMs: 1000, version: 1 }) + recordSnapshotBytes({ ...second, createdAtMs: 1000, version: 1 })

    const roomy = open('exact.sqlite', exact)
    assert.equal(roomy.apply(++index, { type: 'putFile', record: first }).status, 'applied')
    assert.equal(roomy.apply(++index, { type: 'putFile', record: second }).status, 'applied')
    assert.equal(roomy.snapshotBytes, exact)
    assert.equal(roomy.snapshotLimitBytes - roomy.snapshotBytes, 0)

    const tight = open('tight.sqlite', exact - 1)
    assert.equal(tight.apply(1, { type: 'putFile', record: first }).status, 'applied')
    const before = tight.snapshotBytes
    const refused = tight.apply(2, { type: 'putFile', record: second })
    assert.equal(refused.status, 'rejected')
    assert.ok(refused.status === 'rejected' && refused.code === 'NAMESPACE_FULL', JSON.stringify(refused))
    assert.match(refused.message, /the namespace is full: \/second would take \d+ more bytes/)
    // refused as an applied index (every replica agrees), with the namespace as it was
    assert.equal(tight.appliedIndex, 2)
    assert.equal(tight.get('/second'), undefined)
    assert.equal(tight.snapshotBytes, before)
    assert.equal(tight.apply(2, { type: 'putFile', record: second }).status, 'skipped')
  })

  it('above the bound, deletes and shrinking overwrites are taken and growing ones refused', () => {
    const full = open('full.sqlite')
    full.apply(1, { type: 'putFile', record: record('/big', 5, 1) })
    full.apply(2, { type: 'putFile', record: record('/other', 2, 2) })
    // the same files under a bound lowered below them (a bound is never lowered in a release;
    // this stands for any namespace already past it)
    const lowered = new NamespaceStateMachine({ db: dbs[0]!, chunks: new ChunkIndex(dbs[0]!), nowMs: () => 1, maxSnapshotBytes: 100 })
    assert.equal(lowered.apply(3, { type: 'putFile', record: record('/big', 6, 1) }).status, 'rejected')
    assert.equal(lowered.apply(4, { type: 'putFile', record: record('/big', 4, 1) }).status, 'applied')
    assert.equal(lowered.apply(5, { type: 'deleteFile', path: '/other' }).status, 'applied')
    assert.equal(lowered.snapshotBytes, filesJsonBytes(lowered))
    assert.equal(lowered.apply(6, { type: 'putFile', record: record('/new', 0, 3) }).status, 'rejected')
  })

  it('the forecast before an upload is never less than the record the put makes (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom('a', '"', 'é', '😀', '/'), { minLength: 1, maxLength: 40 }).map((cs) => `/x${cs.join('')}x`).filter((p) => !p.includes('//')),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: CHUNK }),
      (path, fullChunks, lastBytes) => {
        const r = record(path, fullChunks + 1)
        const sizeBytes = fullChunks * CHUNK + lastBytes
        const made = { ...r, sizeBytes, chunks: r.chunks.map((c, i) => i === fullChunks ? { ...c, sizeBytes: lastBytes } : c), createdAtMs: Date.now(), modifiedAtMs: Date.now(), version: 9999 }
        assert.ok(estimateRecordSnapshotBytes(path, sizeBytes, CHUNK) >= recordSnapshotBytes(made))
      }
    ), { numRuns: 200 })
  })

  it('the forecast refuses, before any byte is sent, exactly when the estimate passes the bound', () => {
    const estimate = estimateRecordSnapshotBytes('/up', 3 * CHUNK, CHUNK)
    open('fits.sqlite', estimate).checkRoomFor('/up', 3 * CHUNK, CHUNK)
    throwsWith(() => { open('short.sqlite', estimate - 1).checkRoomFor('/up', 3 * CHUNK, CHUNK) }, 'NAMESPACE_FULL', /nothing was stored/)
    // an overwrite is forecast by what it adds, not by its whole size
    const sm = open('over.sqlite', estimate)
    sm.apply(1, { type: 'putFile', record: record('/up', 3, 1) })
    sm.checkRoomFor('/up', 3 * CHUNK, CHUNK)
  })
})
