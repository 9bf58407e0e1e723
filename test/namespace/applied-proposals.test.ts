// Checks the namespace's table of applied Raft proposals (raft/proposal-window.ts) on real SQLite
// files: a re-sent copy of an applied put or delete consumes its index and changes nothing; a copy
// past the window is skipped too; the table survives closing and reopening the database (a
// restart must judge copies as the others do); snapshots carry it, a restore replaces it, a
// snapshot from before the table restores an empty one, and a snapshot with rows a driver cannot
// make is refused; a schema-3 data dir gains the table when opened; the largest table a snapshot
// can carry fits the room left beside the namespace bound.
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { encodeCommand, type NewFileRecord } from '../../src/namespace/commands.js'
import { MAX_NAMESPACE_SNAPSHOT_BYTES } from '../../src/namespace/namespace-size.js'
import { decodeSnapshot, encodeSnapshot, MAX_SNAPSHOT_JSON_BYTES } from '../../src/namespace/snapshot-codec.js'
import { NamespaceStateMachine } from '../../src/namespace/state-machine.js'
import { DEFAULT_MAX_SNAPSHOT_BYTES } from '../../src/p2p/raft-transport/constants.js'
import { MAX_PROPOSAL_TABLE_JSON_BYTES, MAX_TAG_ID_BYTES, PROPOSAL_WINDOW_ENTRIES, SkippedProposal, type ProposalTag } from '../../src/raft/proposal-window.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { openDatabase, schemaVersion, type Db } from '../../src/store/database.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { makeTempDir, sha256Hex, throwsWith } from '../fixtures-storage/helpers.js'

const cid = chunkCidFromSha256(Buffer.from(sha256Hex(Buffer.from('a')), 'hex'))
const WINDOW = 5

function put (path: string, modifiedAtMs = 1000): Uint8Array {
  const record: NewFileRecord = { path, sizeBytes: 3, sha256: 'ab'.repeat(32), chunkSizeBytes: 65536, chunks: [{ cid, sizeBytes: 3 }], replication: { factor: 3, mode: 'sync' }, modifiedAtMs }
  return encodeCommand({ type: 'putFile', record })
}
const tag = (id: string, proposedAt: number): ProposalTag => ({ id, proposedAt })

describe('namespace: applied proposals', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  let db: Db
  let sm: NamespaceStateMachine
  const open = (): NamespaceStateMachine => new NamespaceStateMachine({ db, chunks: new ChunkIndex(db), nowMs: () => 1, proposalWindow: WINDOW })

  beforeEach(async () => {
    temp = await makeTempDir()
    db = openDatabase(join(temp.dir, 'meta.sqlite'))
    sm = open()
  })
  afterEach(async () => {
    db.close()
    await temp.cleanup()
  })

  it('a copy of an applied put or delete consumes its index and changes nothing', () => {
    assert.equal((sm.applyEncoded(1, put('/f'), tag('p1', 0)) as { status: string }).status, 'applied')
    assert.deepEqual(sm.applyEncoded(2, put('/f', 2000), tag('p1', 0)), new SkippedProposal('duplicate'))
    assert.equal(sm.appliedIndex, 2)
    assert.equal(sm.get('/f')?.version, 1, 'the copy did not overwrite')
    assert.equal(sm.get('/f')?.modifiedAtMs, 1000)
    const del = encodeCommand({ type: 'deleteFile', path: '/f' })
    assert.equal((sm.applyEncoded(3, del, tag('p2', 2)) as { status: string }).status, 'applied')
    assert.equal((sm.applyEncoded(4, put('/f'), tag('p3', 3)) as { status: string }).status, 'applied')
    assert.deepEqual(sm.applyEncoded(5, del, tag('p2', 2)), new SkippedProposal('duplicate'))
    assert.equal(sm.get('/f')?.version, 1, 'the delete\'s copy did not delete the file put since')
    // untagged entries (older builds, the single-node store) are applied as before
    assert.equal((sm.applyEncoded(6, put('/f')) as { status: string }).status, 'applied')
    assert.equal(sm.get('/f')?.version, 2)
  })

  it('a copy committed more than the window after its proposal is skipped, first copy or not', () => {
    assert.deepEqual(sm.applyEncoded(WINDOW + 2, put('/late'), tag('p', 1)), new SkippedProposal('expired'))
    assert.equal(sm.get('/late'), undefined)
    assert.equal(sm.appliedIndex, WINDOW + 2)
    assert.equal((sm.applyEncoded(WINDOW + 3, put('/edge'), tag('q', 3)) as { status: string }).status, 'applied', 'exactly WINDOW entries later still applies')
    assert.deepEqual(sm.proposalVerdict(tag('q', 3), WINDOW + 4), new SkippedProposal('expired').reason)
  })

  it('survives reopening the database, as a restarted peer must judge copies as the others do', () => {
    sm.applyEncoded(1, put('/f'), tag('p1', 0))
    db.close()
    db = openDatabase(join(temp.dir, 'meta.sqlite'))
    sm = open()
    assert.equal(sm.proposalVerdict(tag('p1', 0), 2), 'duplicate')
    assert.deepEqual(sm.applyEncoded(2, put('/f', 5), tag('p1', 0)), new SkippedProposal('duplicate'))
    assert.equal(sm.get('/f')?.version, 1)
  })

  it('forgets ids as entries apply, keeping exactly those a later copy could match', () => {
    for (let i = 1; i <= 12; i++) sm.applyEncoded(i, put(`/f${i}`), tag(`p${i}`, i - 1))
    const rows = db.prepare<[], { id: string }>('SELECT id FROM applied_proposals ORDER BY proposed_at').all().map((r) => r.id)
    // at index 12 a copy of an id proposed before 12 - WINDOW = 7 is expired, whatever the table
    // says: p1..p7 (proposed at 0..6) are gone, p8 (proposed at 7) could still be matched at 12
    assert.deepEqual(rows, ['p8', 'p9', 'p10', 'p11', 'p12'])
    assert.equal(sm.proposalVerdict(tag('p8', 7), 12), 'duplicate')
    assert.deepEqual((decodeSnapshot(sm.snapshot()) as { proposals: unknown }).proposals, [['p10', 9], ['p11', 10], ['p12', 11], ['p8', 7], ['p9', 8]])
  })

  it('snapshots carry the table; a restore replaces it; a snapshot from before it restores none', async () => {
    sm.applyEncoded(1, put('/f'), tag('p1', 0))
    const snapshot = sm.snapshot()
    const other = await makeTempDir()
    const db2 = openDatabase(join(other.dir, 'meta.sqlite'))
    try {
      const sm2 = new NamespaceStateMachine({ db: db2, chunks: new ChunkIndex(db2), nowMs: () => 1, proposalWindow: WINDOW })
      sm2.applyEncoded(1, put('/g'), tag('stale', 0))
      sm2.restore(snapshot, 1)
      assert.equal(sm2.proposalVerdict(tag('p1', 0), 2), 'duplicate')
      assert.equal(sm2.proposalVerdict(tag('stale', 0), 2), 'apply', 'the restore replaced the table')
      assert.deepEqual(sm2.snapshot(), snapshot)
      const older = decodeSnapshot(snapshot) as Record<string, unknown>
      delete older.proposals
      sm2.restore(encodeSnapshot(older), 1)
      assert.equal(sm2.proposalVerdict(tag('p1', 0), 2), 'apply')
      assert.deepEqual(sm2.files.all(), sm.files.all())
    } finally {
      db2.close()
      await other.cleanup()
    }
  })

  it('refuses a snapshot whose table a driver could not have made, changing nothing', () => {
    sm.applyEncoded(1, put('/f'), tag('p1', 0))
    const body = decodeSnapshot(sm.snapshot()) as Record<string, unknown>
    const bad = (proposals: unknown): Uint8Array => encodeSnapshot({ ...body, proposals })
    throwsWith(() => sm.restore(bad([['has "quote"@1', 0]]), 1), 'INVALID_ARGUMENT', /not a proposal id/)
    throwsWith(() => sm.restore(bad([[`${'x'.repeat(MAX_TAG_ID_BYTES)}@1`, 0]]), 1), 'INVALID_ARGUMENT', /not a proposal id/)
    throwsWith(() => sm.restore(bad([['ok@1', -1]]), 1), 'INVALID_ARGUMENT', /malformed/)
    const rows = Array.from({ length: PROPOSAL_WINDOW_ENTRIES + 1 }, (_, i) => [`p${i}@1`, 1])
    throwsWith(() => sm.restore(bad(rows), 1), 'INVALID_ARGUMENT', /malformed/)
    sm.restore(bad(rows.slice(1)), 1)
    assert.equal(sm.proposalVerdict(tag('p1', 0), 2), 'apply', 'the full table replaced the old one')
  })

  it('a schema-3 data dir gains the table when opened', async () => {
    const dir = await makeTempDir()
    const path = join(dir.dir, 'meta.sqlite')
    try {
      const raw = new Database(path)
      raw.pragma('journal_mode = WAL')
      for (let v = 0; v < 3; v++) raw.exec(MIGRATIONS[v]!)
      raw.pragma('user_version = 3')
      raw.close()
      const db3 = openDatabase(path)
      try {
        assert.equal(schemaVersion(db3), MIGRATIONS.length)
        const sm3 = new NamespaceStateMachine({ db: db3, chunks: new ChunkIndex(db3), nowMs: () => 1 })
        assert.equal((sm3.applyEncoded(1, put('/f'), tag('p1', 0)) as { status: string }).status, 'applied')
        assert.equal(sm3.proposalVerdict(tag('p1', 0), 2), 'duplicate')
      } finally {
        db3.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('the largest table fits beside the namespace bound in what a snapshot may inflate to and what a peer accepts', () => {
    const longest = `${'p'.repeat(MAX_TAG_ID_BYTES - 17)}@${'9'.repeat(16)}`
    const rows = Array.from({ length: PROPOSAL_WINDOW_ENTRIES }, (_, i) => [`${i}${longest.slice(String(i).length)}`, 2 ** 53 - 1])
    const json = Buffer.byteLength(JSON.stringify(rows))
    assert.ok(json <= MAX_PROPOSAL_TABLE_JSON_BYTES, `${json} > ${MAX_PROPOSAL_TABLE_JSON_BYTES}`)
    // 1 KiB for the snapshot's other fields (namespace-size.test.ts), 1 MiB for the Raft message around it
    assert.ok(MAX_NAMESPACE_SNAPSHOT_BYTES + MAX_PROPOSAL_TABLE_JSON_BYTES + 1024 <= MAX_SNAPSHOT_JSON_BYTES)
    assert.ok(MAX_NAMESPACE_SNAPSHOT_BYTES + MAX_PROPOSAL_TABLE_JSON_BYTES + 1024 + 1024 * 1024 <= DEFAULT_MAX_SNAPSHOT_BYTES)
  })
})
