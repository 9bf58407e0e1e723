// Checks the namespace state machine on a real SQLite file: apply advances applied_index and
// is a no-op on replay; put/overwrite/delete keep chunk refcounts exact (overwrite swaps in
// one transaction); preconditions are rejected deterministically; the command encoding
// round-trips and rejects malformed input; snapshot/restore reproduces namespace, index and
// refcounts on a fresh database; a failing apply leaves nothing half-done.
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { decodeCommand, encodeCommand, type NamespaceCommand, type NewFileRecord } from '../../src/namespace/commands.js'
import { decodeSnapshot } from '../../src/namespace/snapshot-codec.js'
import { NamespaceStateMachine, type ApplyResult } from '../../src/namespace/state-machine.js'
import { SkippedProposal } from '../../src/raft/proposal-window.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { openDatabase, schemaVersion, type Db } from '../../src/store/database.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { makeTempDir, sha256Hex, throwsWith } from '../fixtures-storage/helpers.js'

const CHUNK = 65536
const cidOf = (n: number): string => chunkCidFromSha256(Buffer.from(sha256Hex(Buffer.from([n])), 'hex'))
const A = cidOf(1)
const B = cidOf(2)
const C = cidOf(3)

function record (path: string, cids: string[], lastBytes = CHUNK): NewFileRecord {
  const chunks = cids.map((cid, i) => ({ cid, sizeBytes: i === cids.length - 1 ? lastBytes : CHUNK }))
  return {
    path,
    sizeBytes: chunks.reduce((sum, c) => sum + c.sizeBytes, 0),
    sha256: 'ab'.repeat(32),
    chunkSizeBytes: CHUNK,
    chunks,
    replication: { factor: 3, mode: 'sync' },
    modifiedAtMs: 1000
  }
}

describe('namespace state machine', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  let db: Db
  let chunks: ChunkIndex
  let sm: NamespaceStateMachine
  let clockMs: number

  beforeEach(async () => {
    temp = await makeTempDir()
    db = openDatabase(join(temp.dir, 'meta.sqlite'))
    chunks = new ChunkIndex(db)
    clockMs = 5000
    sm = new NamespaceStateMachine({ db, chunks, nowMs: () => clockMs })
  })

  afterEach(async () => {
    db.close()
    await temp.cleanup()
  })

  const refs = (cid: string): number | undefined => chunks.get(cid)?.refcount

  it('opens with schema version and WAL + FULL sync', () => {
    assert.equal(schemaVersion(db), MIGRATIONS.length)
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
    assert.equal(db.pragma('synchronous', { simple: true }), 2)
    assert.equal(sm.appliedIndex, 0)
  })

  it('applies a put, advances applied_index, and ignores a replay of the same index', () => {
    const result = sm.apply(1, { type: 'putFile', record: record('/f', [A, B]) })
    assert.equal(result.status, 'applied')
    assert.equal(sm.appliedIndex, 1)
    assert.equal(sm.get('/f')?.version, 1)
    assert.equal(refs(A), 1)
    assert.deepEqual(sm.apply(1, { type: 'putFile', record: record('/f', [C]) }), { status: 'skipped' })
    assert.equal(sm.get('/f')?.chunks[0]?.cid, A)
    assert.equal(refs(C), undefined)
    assert.equal(sm.appliedIndex, 1)
  })

  it('overwrite swaps chunks atomically and keeps createdAtMs, bumps version', () => {
    sm.apply(1, { type: 'putFile', record: record('/f', [A, B]) })
    const result = sm.apply(2, { type: 'putFile', record: { ...record('/f', [B, C]), modifiedAtMs: 2000 } })
    assert.ok(result.status === 'applied' && result.command === 'putFile')
    assert.equal(result.record.version, 2)
    assert.equal(result.record.createdAtMs, 1000)
    assert.equal(result.record.modifiedAtMs, 2000)
    assert.equal(result.replaced?.version, 1)
    assert.deepEqual([refs(A), refs(B), refs(C)], [0, 1, 1])
    assert.equal(chunks.get(A)?.touchedAtMs, 5000)
  })

  it('counts each reference, including a chunk repeated within one file', () => {
    sm.apply(1, { type: 'putFile', record: record('/zeros', [A, A, A]) })
    sm.apply(2, { type: 'putFile', record: record('/copy', [A]) })
    assert.equal(refs(A), 4)
    sm.apply(3, { type: 'deleteFile', path: '/zeros' })
    assert.equal(refs(A), 1)
  })

  it('delete releases chunks; missing file and wrong version are rejected but still consume the index', () => {
    sm.apply(1, { type: 'putFile', record: record('/f', [A]) })
    const missing = sm.apply(2, { type: 'deleteFile', path: '/nope' })
    assert.equal(missing.status, 'rejected')
    assert.ok(missing.status === 'rejected' && missing.code === 'FILE_NOT_FOUND')
    const wrong = sm.apply(3, { type: 'deleteFile', path: '/f', ifVersion: 7 })
    assert.ok(wrong.status === 'rejected' && wrong.code === 'PRECONDITION_FAILED')
    assert.equal(sm.appliedIndex, 3)
    assert.equal(refs(A), 1)
    const deleted = sm.apply(4, { type: 'deleteFile', path: '/f', ifVersion: 1 })
    assert.equal(deleted.status, 'applied')
    assert.equal(sm.get('/f'), undefined)
    assert.equal(refs(A), 0)
  })

  it('ifVersion 0 creates only when absent; ifVersion n replaces only version n', () => {
    assert.equal(sm.apply(1, { type: 'putFile', record: record('/f', [A]), ifVersion: 0 }).status, 'applied')
    const again = sm.apply(2, { type: 'putFile', record: record('/f', [B]), ifVersion: 0 })
    assert.ok(again.status === 'rejected' && again.code === 'PRECONDITION_FAILED')
    assert.equal(refs(B), undefined)
    assert.equal(sm.apply(3, { type: 'putFile', record: record('/f', [B]), ifVersion: 1 }).status, 'applied')
    assert.equal(sm.get('/f')?.version, 2)
  })

  it('a failing apply rolls back everything, including applied_index', () => {
    sm.apply(1, { type: 'putFile', record: record('/f', [A]) })
    // a chunk id reused with another size breaks an invariant mid-transaction
    const bad: NamespaceCommand = { type: 'putFile', record: record('/g', [B, A], 100) }
    assert.throws(() => sm.apply(2, bad), /one chunk id with two sizes/)
    assert.equal(sm.appliedIndex, 1)
    assert.equal(sm.get('/g'), undefined)
    assert.equal(refs(B), undefined)
  })

  it('snapshot and restore reproduce files, applied index and refcounts', async () => {
    sm.apply(1, { type: 'putFile', record: record('/a', [A, B]) })
    sm.apply(2, { type: 'putFile', record: record('/b', [B]) })
    sm.apply(5, { type: 'putFile', record: record('/a', [C]) })
    const snapshot = sm.snapshot()

    const other = await makeTempDir()
    const db2 = openDatabase(join(other.dir, 'meta.sqlite'))
    try {
      const chunks2 = new ChunkIndex(db2)
      const sm2 = new NamespaceStateMachine({ db: db2, chunks: chunks2, nowMs: () => 1 })
      sm2.apply(1, { type: 'putFile', record: record('/stale', [A]) })
      sm2.restore(snapshot, 5)
      assert.equal(sm2.appliedIndex, 5)
      assert.deepEqual(sm2.files.all(), sm.files.all())
      assert.deepEqual([A, B, C].map((cid) => chunks2.get(cid)?.refcount), [0, 1, 1])
      assert.equal(chunks2.get(C)?.state, 'absent', 'a referenced chunk this node lacks is absent')
      assert.deepEqual(sm2.snapshot(), snapshot)
      throwsWith(() => sm2.restore(snapshot, 4), 'INVALID_ARGUMENT', /up to index 5, beyond its index 4/)
      sm2.restore(snapshot, 7)
      assert.equal(sm2.appliedIndex, 7, 'entries after the last command (no-ops) count as applied')
      sm2.restore(snapshot, 5)
      throwsWith(() => sm2.restore(new TextEncoder().encode('{"format":1}'), 0), 'INVALID_ARGUMENT', /malformed/)
      assert.equal(sm2.appliedIndex, 5)
      // the plain JSON earlier versions wrote is still read
      const plain = new TextEncoder().encode(JSON.stringify(decodeSnapshot(snapshot)))
      assert.equal(plain[0], '{'.charCodeAt(0))
      sm2.apply(6, { type: 'putFile', record: record('/later', [A]) })
      sm2.restore(plain, 5)
      assert.deepEqual(sm2.files.all(), sm.files.all())
    } finally {
      db2.close()
      await other.cleanup()
    }
  })

  it('applyEncoded applies log payloads and lets an undecodable entry consume its index', () => {
    const applyEncoded = (index: number, payload: Uint8Array): ApplyResult => {
      const result = sm.applyEncoded(index, payload)
      assert.ok(!(result instanceof SkippedProposal))
      return result
    }
    assert.equal(applyEncoded(1, encodeCommand({ type: 'putFile', record: record('/f', [A]) })).status, 'applied')
    const garbage = applyEncoded(2, new TextEncoder().encode('{"type":"nope"}'))
    assert.ok(garbage.status === 'rejected' && garbage.code === 'INVALID_ARGUMENT')
    assert.equal(sm.appliedIndex, 2)
    assert.deepEqual(applyEncoded(2, new Uint8Array([1])), { status: 'skipped' })
    assert.equal(applyEncoded(3, encodeCommand({ type: 'deleteFile', path: '/f' })).status, 'applied')
    assert.equal(refs(A), 0)
  })

  it('commands round-trip through their encoding and malformed ones are rejected', () => {
    const command: NamespaceCommand = { type: 'putFile', record: record('/f', [A, B], 3), ifVersion: 2 }
    assert.deepEqual(decodeCommand(encodeCommand(command)), command)
    const del: NamespaceCommand = { type: 'deleteFile', path: '/f' }
    assert.deepEqual(decodeCommand(encodeCommand(del)), del)
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))
    throwsWith(() => decodeCommand(new Uint8Array([0xff, 0xfe])), 'INVALID_ARGUMENT', /UTF-8 JSON/)
    throwsWith(() => decodeCommand(enc({ type: 'rename' })), 'INVALID_ARGUMENT')
    throwsWith(() => decodeCommand(enc({ type: 'deleteFile', path: '/a/../b' })), 'INVALID_ARGUMENT', /invalid path/)
    throwsWith(() => decodeCommand(enc({ ...command, record: { ...command.record, sizeBytes: 5 } })), 'INVALID_ARGUMENT', /add up/)
    throwsWith(() => decodeCommand(enc({ ...command, record: { ...record('/f', [A, B]), chunks: [{ cid: A, sizeBytes: 10 }, { cid: B, sizeBytes: CHUNK }], sizeBytes: CHUNK + 10 } })), 'INVALID_ARGUMENT', /chunk 0 has 10 bytes/)
    throwsWith(() => decodeCommand(enc({ type: 'putFile', record: { ...record('/f', ['bafy']) } })), 'INVALID_ARGUMENT', /chunk id/)
  })
})
