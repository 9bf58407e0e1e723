// Start-up and invariants: a new cluster's configuration is written into the log and persisted
// by the first Ready; a restart recovers exactly the durable state; and corrupt or impossible
// states crash loudly with an AssertionFailure instead of running on (§5.1 term monotonicity,
// §5.2 one vote per term, §5.3 Log Matching, commit ≤ last index, applied ≤ committed).
import { strict as assert } from 'node:assert'
import { createRaftCore } from '../../../src/raft/core/index.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { RaftLog } from '../../../src/raft/core/raft-log.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Entry } from '../../../src/raft/types.js'
import { AssertionFailure } from '../../../src/util/assert.js'
import { createPrng } from '../../../src/util/prng.js'

const base = { rng: createPrng(1), electionTick: 10, heartbeatTick: 1 }
const crashes = (err: unknown): boolean => err instanceof AssertionFailure

function storageWith (terms: number[], hard: { term: number, vote?: string, commit: number }): MemoryRaftStorage {
  const s = new MemoryRaftStorage({ voters: ['n1', 'n2', 'n3'], learners: [] })
  const entries: Entry[] = terms.map((term, i) => ({ term, index: i + 1, type: 'normal', data: new Uint8Array(0) }))
  s.save({ entries, hardState: { term: hard.term, vote: hard.vote ?? '', commit: hard.commit } })
  return s
}

describe('raft core: bootstrap, restart and invariants', () => {
  it('§4.1: bootstrap writes the configuration as committed entries, and the first Ready persists them with the hard state', () => {
    const storage = new MemoryRaftStorage({ voters: ['n1', 'n2', 'n3'], learners: ['n4'] })
    const core = createRaftCore({ ...base, id: 'n1', storage })
    const rd = core.ready()
    assert.deepEqual(rd.hardState, { term: 1, vote: '', commit: 4 })
    assert.deepEqual(rd.entries.map(e => `${e.index}/${e.term}/${e.type}`), ['1/1/confChange', '2/1/confChange', '3/1/confChange', '4/1/confChange'])
    assert.equal(rd.committedEntries.length, 4)
    assert.equal(rd.mustSync, true)
  })

  it('§5.3 Log Matching: members bootstrapped with the same set in any order write identical entries', () => {
    const a = createRaftCore({ ...base, id: 'n1', storage: new MemoryRaftStorage({ voters: ['n1', 'n2', 'n3'], learners: [] }) }).ready()
    const b = createRaftCore({ ...base, id: 'n3', storage: new MemoryRaftStorage({ voters: ['n3', 'n1', 'n2'], learners: [] }) }).ready()
    assert.deepEqual(a.entries, b.entries)
  })

  it('§5: a restart before the first Ready was saved bootstraps again, identically', () => {
    const storage = new MemoryRaftStorage({ voters: ['n1', 'n2'], learners: [] })
    const first = createRaftCore({ ...base, id: 'n1', storage }).ready()
    const again = createRaftCore({ ...base, id: 'n1', storage }).ready()
    assert.deepEqual(again.entries, first.entries)
    assert.deepEqual(again.hardState, first.hardState)
  })

  it('§5: a restart recovers term, vote, commit and log exactly from storage', () => {
    const storage = storageWith([1, 1, 2], { term: 3, vote: 'n2', commit: 2 })
    const st = createRaftCore({ ...base, id: 'n1', storage }).status()
    assert.deepEqual({ term: st.term, vote: st.vote, commit: st.commit, lastIndex: st.lastIndex, role: st.role }, { term: 3, vote: 'n2', commit: 2, lastIndex: 3, role: 'follower' })
  })

  it('§5.3: crashes on a durable commit index past the end of the log (lost entries)', () => {
    // storage refuses to save such a state, so model one that lost entries after saving it
    const storage = storageWith([1, 1], { term: 1, commit: 2 })
    const real = storage.initialState()
    storage.initialState = () => ({ ...real, hardState: { ...real.hardState, commit: 5 } })
    assert.throws(() => createRaftCore({ ...base, id: 'n1', storage }), (err: unknown) => crashes(err) && /commit index is outside the log/.test(String(err)))
  })

  it('§5.3 (applied ≤ committed ≤ last index): crashes on an applied index past the end of the durable log', () => {
    const storage = storageWith([1, 1, 1], { term: 1, commit: 2 })
    assert.throws(() => createRaftCore({ ...base, id: 'n1', storage, applied: 4 }), (err: unknown) => crashes(err) && /applied index past the end/.test(String(err)))
  })

  it('§5.3: an applied index past a not-yet-saved commit raises the commit index (applied entries were committed) and persists it', () => {
    const storage = storageWith([1, 1, 1], { term: 1, commit: 2 })
    const core = createRaftCore({ ...base, id: 'n1', storage, applied: 3 })
    assert.equal(core.status().commit, 3)
    assert.equal(core.ready().hardState?.commit, 3)
  })

  it('§5.3: the log crashes when told to overwrite a committed entry', () => {
    // (the core never asks this of the log: an append below the commit index is answered
    // without touching it; this checks the log's own guard)
    const log = new RaftLog(storageWith([1, 1, 1], { term: 1, commit: 3 }))
    log.committed = 3
    assert.throws(() => log.maybeAppend(1, 1, 3, [{ term: 2, index: 2, type: 'normal', data: new Uint8Array(0) }]),
      (err: unknown) => crashes(err) && /conflicts with a committed entry/.test(String(err)))
  })

  it('§5.3: crashes on a log whose terms decrease', () => {
    const storage = storageWith([1, 2], { term: 2, commit: 0 })
    const core = createRaftCore({ ...base, id: 'n1', storage })
    const bad = makeMessage({
      type: 'MsgApp', from: 'n2', to: 'n1', term: 3, index: 2, logTerm: 2, commit: 0,
      entries: [{ term: 1, index: 3, type: 'normal', data: new Uint8Array(0) }]
    })
    assert.throws(() => core.step(bad), (err: unknown) => crashes(err) && /terms must not decrease/.test(String(err)))
  })

  it('§5.1: storage refuses to persist a term that goes back', () => {
    const storage = storageWith([1], { term: 3, commit: 0 })
    assert.throws(() => storage.save({ hardState: { term: 2, vote: '', commit: 0 }, entries: [] }), crashes)
  })

  it('§5 Figure 2 hand-off (persist, send, apply, advance): ready() twice without advance() is a programmer error', () => {
    const core = createRaftCore({ ...base, id: 'n1', storage: new MemoryRaftStorage({ voters: ['n1'], learners: [] }) })
    core.ready()
    assert.throws(() => core.ready(), crashes)
  })

  it('§5.1 (only RPCs cross the network): a local-only message type arriving from the network is a programmer error', () => {
    const core = createRaftCore({ ...base, id: 'n1', storage: new MemoryRaftStorage({ voters: ['n1', 'n2'], learners: [] }) })
    assert.throws(() => core.step(makeMessage({ type: 'MsgHup', from: 'n2', to: 'n1' })), crashes)
  })
})
