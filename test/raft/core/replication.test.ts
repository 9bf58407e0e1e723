// Log replication and commitment (§5.3, §5.4), in the spirit of etcd's raft_paper_test.go:
// small networks of cores, messages delivered by the test, then logs, commit indexes and applied
// entries compared across nodes. Includes the Figure 8 scenario (§5.4.2).
import { strict as assert } from 'node:assert'
import { createRaftCore } from '../../../src/raft/core/index.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Entry } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'
import { Network, describe as show, text } from './network.js'

const VOTERS = ['n1', 'n2', 'n3']

function logTerms (net: Network, id: string): number[] {
  const core = net.core(id)
  const last = core.status().lastIndex
  const storage = net.node(id).storage
  const out: number[] = []
  for (let i = storage.firstIndex(); i <= last; i++) out.push(storage.term(i))
  return out
}

function seededStorage (terms: number[], term: number): MemoryRaftStorage {
  const s = new MemoryRaftStorage({ voters: VOTERS, learners: [] })
  const entries: Entry[] = terms.map((t, i) => ({ term: t, index: i + 1, type: 'normal', data: text(`${t}.${i + 1}`) }))
  s.save({ entries, hardState: { term, vote: '', commit: 0 } })
  return s
}

describe('raft core: log replication and commitment', () => {
  it('§5.3: the leader appends a proposal, replicates it, commits it once a majority has it, and all apply it', () => {
    const net = Network.of(VOTERS)
    net.elect('n1')
    net.propose('n1', 'x=1')
    for (const id of VOTERS) {
      assert.equal(net.core(id).status().commit, 5, id) // 3 bootstrap entries, no-op, proposal
      assert.deepEqual(net.appliedText(id), ['x=1'], id)
    }
  })

  it('§5.3: the exchange for one proposal is MsgApp to each follower, then acknowledgements', () => {
    const net = Network.of(VOTERS)
    net.elect('n1')
    net.core('n1').propose(text('a'))
    const msgs = net.stabilize().map(show)
    assert.deepEqual(msgs, [
      'n1->n2 MsgApp term=2 index=4 logTerm=2 entries=1 commit=4',
      'n1->n3 MsgApp term=2 index=4 logTerm=2 entries=1 commit=4',
      'n2->n1 MsgAppResp term=2 index=5',
      'n3->n1 MsgAppResp term=2 index=5',
      'n1->n2 MsgApp term=2 index=5 logTerm=2 entries=0 commit=5',
      'n1->n3 MsgApp term=2 index=5 logTerm=2 entries=0 commit=5',
      'n2->n1 MsgAppResp term=2 index=5',
      'n3->n1 MsgAppResp term=2 index=5'
    ])
  })

  it('§5.3: a minority partition cannot commit; the entry commits once the majority is reachable', () => {
    const net = Network.of(VOTERS)
    net.elect('n1')
    net.isolate('n1')
    net.propose('n1', 'lost?')
    assert.equal(net.core('n1').status().commit, 4)
    net.heal()
    net.tickAll(1) // heartbeat → followers answer → leader resends
    net.stabilize()
    for (const id of VOTERS) assert.deepEqual(net.appliedText(id), ['lost?'], id)
  })

  it('§5.3 Log Matching: the leader forces followers with missing or conflicting entries to copy its log', () => {
    // etcd's TestLeaderSyncFollowerLog: leader n1 has terms [1,1,1,4,4,5,5,6,6,6]
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
    const followers: number[][] = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6], // missing one
      [1, 1, 1, 4], // missing many
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], // extra uncommitted entry
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], // extra entries of a later term
      [1, 1, 1, 4, 4, 4, 4], // conflicting entries of term 4
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3] // conflicts from index 4
    ]
    for (const fTerms of followers) {
      const net = new Network()
      net.add('n1', seededStorage(leaderTerms, 7))
      net.add('n2', seededStorage(fTerms, 7))
      net.add('n3', seededStorage([], 7))
      net.isolate('n3') // n3 only gives n1 its vote; n2 is brought in line by the leader alone
      const n1 = net.core('n1')
      n1.campaign()
      net.processReady('n1')
      net.queue = [] // n2 never sees the vote request
      n1.step(makeMessage({ type: 'MsgVoteResp', from: 'n3', to: 'n1', term: 8 }))
      assert.equal(n1.status().role, 'leader', `follower ${fTerms.join(',')}`)
      net.stabilize()
      assert.deepEqual(logTerms(net, 'n2'), [...leaderTerms, 8], `follower ${fTerms.join(',')}`)
      assert.equal(net.core('n2').status().commit, 11)
    }
  })

  it('§5.4.2 Figure 8: an entry of an earlier term is not committed by counting replicas', () => {
    // Figure 8 (c): S1 led term 2 and stored index 2 on S1, S2; S5 led term 3 and stored its own
    // index 2 locally. S1 is now leader of term 4 and gets its term-2 entry onto S3: it is on a
    // majority (S1, S2, S3), yet S5 could still be elected (its last term 3 > 2) and overwrite it
    // — so it must not be committed until an entry of term 4 is on a majority (Figure 8 (e)).
    const ids = ['s1', 's2', 's3', 's4', 's5']
    const store = (terms: number[], term: number): MemoryRaftStorage => {
      const s = new MemoryRaftStorage({ voters: ids, learners: [] })
      s.save({ entries: terms.map((t, i) => ({ term: t, index: i + 1, type: 'normal', data: text(`${t}`) })), hardState: { term, vote: '', commit: 1 } })
      return s
    }
    const s1 = createRaftCore({ id: 's1', storage: store([1, 2], 3), rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
    s1.campaign()
    for (const v of ['s2', 's3']) s1.step(makeMessage({ type: 'MsgVoteResp', from: v, to: 's1', term: 4 }))
    assert.equal(s1.status().role, 'leader')
    assert.equal(s1.status().lastIndex, 3) // its term-4 no-op
    // S2 already has index 2; S3 acknowledges index 2 (it got the old entry but not the no-op yet)
    s1.step(makeMessage({ type: 'MsgAppResp', from: 's2', to: 's1', term: 4, index: 2 }))
    s1.step(makeMessage({ type: 'MsgAppResp', from: 's3', to: 's1', term: 4, index: 2 }))
    assert.equal(s1.status().commit, 1, 'the term-2 entry is on a majority but must not be committed by counting')

    // why: S3, holding S1's entry, would still vote for S5, whose last entry has term 3
    const s3 = createRaftCore({ id: 's3', storage: store([1, 2], 4), rng: createPrng(3), electionTick: 10, heartbeatTick: 1 })
    s3.step(makeMessage({ type: 'MsgVote', from: 's5', to: 's3', term: 5, index: 2, logTerm: 3 }))
    assert.equal(s3.ready().messages[0]!.reject, false)

    // Figure 8 (e): once the term-4 entry is on a majority, it and everything before it commit
    s1.step(makeMessage({ type: 'MsgAppResp', from: 's2', to: 's1', term: 4, index: 3 }))
    assert.equal(s1.status().commit, 1)
    s1.step(makeMessage({ type: 'MsgAppResp', from: 's3', to: 's1', term: 4, index: 3 }))
    assert.equal(s1.status().commit, 3)
  })

  it('§5.4.2: a new leader commits a no-op of its term, which commits earlier-term entries indirectly', () => {
    // the leader's log has an uncommitted term-1 entry; on election it appends an empty entry
    const net = new Network()
    for (const id of VOTERS) net.add(id, seededStorage(id === 'n3' ? [] : [1, 1], 1))
    net.elect('n1')
    const n1 = net.core('n1').status()
    assert.equal(n1.lastIndex, 3)
    assert.equal(n1.commit, 3)
    const noop = net.node('n1').applied[2]!
    assert.equal(noop.term, 2)
    assert.equal(noop.data.byteLength, 0)
  })

  it('§5.4.3 Leader Completeness: after leaders change, every committed entry is in the new leader and applied everywhere in order', () => {
    const net = Network.of(['n1', 'n2', 'n3', 'n4', 'n5'])
    const ids = [...net.nodes.keys()]
    const written: string[] = []
    const rounds: Array<[string, string]> = [['n1', 'n2'], ['n3', 'n4'], ['n5', 'n1'], ['n2', 'n3']]
    for (const [leader, lagging] of rounds) {
      net.heal()
      net.elect(leader)
      // commit two entries while one follower is cut off, so logs diverge in length
      net.isolate(lagging)
      for (let i = 0; i < 2; i++) { const v = `${leader}-${i}`; net.propose(leader, v); written.push(v) }
      net.isolate(leader) // the leader "crashes"
      net.core(leader).propose(text(`${leader}-uncommitted`)) // never committed
      net.processReady(leader); net.queue = []
    }
    net.heal()
    net.elect('n4')
    net.tickAll(1)
    net.stabilize()
    for (const id of ids) {
      const applied = net.appliedText(id).filter(s => !s.endsWith('uncommitted'))
      assert.deepEqual(applied, written, id)
    }
  })

  it('§5.3: a follower that restarts recovers its log and hard state from storage', () => {
    const net = Network.of(VOTERS)
    net.elect('n1')
    net.propose('n1', 'a')
    net.restart('n2')
    const st = net.core('n2').status()
    assert.equal(st.term, 2)
    assert.equal(st.commit, 5)
    assert.equal(st.lastIndex, 5)
    net.propose('n1', 'b')
    assert.deepEqual(net.appliedText('n2'), ['a', 'b'])
  })

  it('§5.3 / §7: restarting with an applied index resumes applying after it', () => {
    const s = new MemoryRaftStorage({ voters: ['n1'], learners: [] })
    const entries: Entry[] = [1, 2, 3].map(i => ({ term: 1, index: i, type: 'normal', data: text(String(i)) }))
    s.save({ entries, hardState: { term: 1, vote: 'n1', commit: 3 } })
    const core = createRaftCore({ id: 'n1', storage: s, rng: createPrng(1), electionTick: 10, heartbeatTick: 1, applied: 2 })
    const rd = core.ready()
    assert.deepEqual(rd.committedEntries.map(e => e.index), [3])
  })
})

describe('raft core: acknowledgements across a term change within one Ready', () => {
  // Checks the rule that a term change drops queued messages of older terms: a follower steps a
  // term-2 MsgApp (queuing an ack of index 5) and, before its Ready is taken, a term-3 MsgApp
  // that replaces index 4..5. The Ready persists only 4@3, so an ack of 5 must not be in it.
  it('does not send an ack of entries a newer term replaced before they were persisted', () => {
    const storage = new MemoryRaftStorage({ voters: VOTERS, learners: [] })
    const core = createRaftCore({ id: 'n3', storage, rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
    const first = core.ready()
    storage.save({ entries: first.entries, ...(first.hardState === undefined ? {} : { hardState: first.hardState }) })
    core.advance(first)
    const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: text(`${term}.${index}`) })
    core.step(makeMessage({ type: 'MsgApp', from: 'n1', to: 'n3', term: 2, index: 3, logTerm: 1, commit: 3, entries: [entry(4, 2), entry(5, 2)] }))
    core.step(makeMessage({ type: 'MsgApp', from: 'n2', to: 'n3', term: 3, index: 3, logTerm: 1, commit: 3, entries: [entry(4, 3)] }))
    const rd = core.ready()
    assert.deepEqual(rd.entries.map((e) => `${e.index}@${e.term}`), ['4@3'])
    assert.deepEqual(rd.messages.map(show), ['n3->n2 MsgAppResp term=3 index=4'])
  })
})
