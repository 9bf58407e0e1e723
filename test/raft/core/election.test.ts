// Leader election (§5.1, §5.2, §5.4.1), ported in spirit from etcd's raft_paper_test.go: each test
// builds a small in-memory network of cores, delivers messages by hand or to quiescence, and
// checks roles, terms, votes and the messages exchanged.
import { strict as assert } from 'node:assert'
import { createRaftCore } from '../../../src/raft/core/index.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Entry } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'
import { Network } from './network.js'

function storageWithLog (voters: string[], terms: number[], hard?: { term: number, vote?: string }): MemoryRaftStorage {
  const s = new MemoryRaftStorage({ voters, learners: [] })
  const entries: Entry[] = terms.map((term, i) => ({ term, index: i + 1, type: 'normal', data: new Uint8Array(0) }))
  s.save({ entries, hardState: { term: hard?.term ?? terms[terms.length - 1] ?? 0, vote: hard?.vote ?? '', commit: 0 } })
  return s
}

describe('raft core: leader election', () => {
  it('§5.2: a follower that times out becomes candidate, votes for itself and asks every voter', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.tick('n1', 20) // past any randomised timeout in [10, 20)
    const st = net.core('n1').status()
    assert.equal(st.role, 'candidate')
    assert.equal(st.term, 2) // term 1 holds the bootstrap configuration
    assert.equal(st.vote, 'n1')
    net.processReady('n1')
    assert.deepEqual(net.queue.map(m => `${m.type}->${m.to} term=${m.term}`), ['MsgVote->n2 term=2', 'MsgVote->n3 term=2'])
  })

  it('§5.2: a candidate with a majority of votes becomes leader; the others follow it', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    assert.equal(net.core('n1').status().role, 'leader')
    for (const id of ['n2', 'n3']) {
      assert.equal(net.core(id).status().role, 'follower')
      assert.equal(net.core(id).status().leader, 'n1')
      assert.equal(net.core(id).status().term, 2)
    }
  })

  it('§5.2: a candidate that gets a majority of rejections returns to follower', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.isolate('n1')
    net.elect('n2') // term 1: n2 leads with n3
    net.heal()
    net.isolate('n2')
    // n1 is at term 0 with an empty log; n3 has the leader's term-1 entry: n3 rejects n1
    net.tick('n1', 20)
    net.stabilize()
    // n1 reached term 1 and lost (n3 already voted n2 in term 1); its own vote does not make a majority
    assert.notEqual(net.core('n1').status().role, 'leader')
  })

  it('§5.2: a single-voter cluster elects itself at once', () => {
    const net = Network.of(['n1'])
    net.elect('n1')
    assert.equal(net.core('n1').status().role, 'leader')
    assert.equal(net.core('n1').status().commit, 2) // bootstrap entry + its no-op, committed alone
  })

  it('§5.2: each server votes for at most one candidate per term, first come first served', () => {
    const s = new MemoryRaftStorage({ voters: ['n1', 'n2', 'n3'], learners: [] })
    const core = createRaftCore({ id: 'n1', storage: s, rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
    core.step(makeMessage({ type: 'MsgVote', from: 'n2', to: 'n1', term: 2, index: 3, logTerm: 1 }))
    core.step(makeMessage({ type: 'MsgVote', from: 'n3', to: 'n1', term: 2, index: 3, logTerm: 1 }))
    core.step(makeMessage({ type: 'MsgVote', from: 'n2', to: 'n1', term: 2, index: 3, logTerm: 1 })) // a retry is granted again
    const rd = core.ready()
    assert.deepEqual(rd.messages.map(m => `${m.to}:${m.reject ? 'reject' : 'grant'}`), ['n2:grant', 'n3:reject', 'n2:grant'])
    assert.equal(rd.hardState?.vote, 'n2')
    assert.equal(rd.mustSync, true) // the vote must be durable before the grant is sent
  })

  it('§5.2: one vote per term survives a restart (the vote is in the durable hard state)', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.core('n1').step(makeMessage({ type: 'MsgVote', from: 'n2', to: 'n1', term: 2, index: 3, logTerm: 1 }))
    net.processReady('n1')
    net.restart('n1')
    net.core('n1').step(makeMessage({ type: 'MsgVote', from: 'n3', to: 'n1', term: 2, index: 3, logTerm: 1 }))
    net.processReady('n1')
    const resp = net.queue.filter(m => m.to === 'n3')
    assert.equal(resp.length, 1)
    assert.equal(resp[0]!.reject, true)
  })

  it('§5.4.1: a voter denies its vote to a candidate whose log is less up to date', () => {
    // voter log terms [1, 2]; candidates with (lastIndex, lastTerm)
    const cases: Array<[number, number, boolean]> = [
      [1, 1, false], // older last term
      [3, 1, false], // longer but older term
      [1, 2, false], // same term, shorter
      [2, 2, true], // identical
      [3, 2, true], // same term, longer
      [1, 3, true] // newer last term wins regardless of length
    ]
    for (const [index, logTerm, granted] of cases) {
      const s = storageWithLog(['n1', 'n2'], [1, 2])
      const core = createRaftCore({ id: 'n1', storage: s, rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
      core.step(makeMessage({ type: 'MsgVote', from: 'n2', to: 'n1', term: 3, index, logTerm }))
      const resp = core.ready().messages[0]!
      assert.equal(!resp.reject, granted, `candidate (${index}, ${logTerm})`)
    }
  })

  it('§5.1: a server that sees a higher term adopts it and becomes follower; stale-term messages are ignored', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    const leader = net.core('n1')
    leader.step(makeMessage({ type: 'MsgHeartbeat', from: 'n2', to: 'n1', term: 5 }))
    assert.equal(leader.status().role, 'follower')
    assert.equal(leader.status().term, 5)
    assert.equal(leader.status().leader, 'n2')
    leader.step(makeMessage({ type: 'MsgApp', from: 'n3', to: 'n1', term: 2 }))
    assert.equal(leader.status().term, 5)
    assert.equal(leader.status().leader, 'n2')
  })

  it('§5.2: randomised election timeouts stay in [electionTick, 2*electionTick) and differ across nodes', () => {
    const firings: number[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const s = new MemoryRaftStorage({ voters: ['n1', 'n2', 'n3'], learners: [] })
      const core = createRaftCore({ id: 'n1', storage: s, rng: createPrng(seed), electionTick: 10, heartbeatTick: 1 })
      core.advance(core.ready()) // apply the bootstrap configuration entries
      let t = 0
      while (core.status().role === 'follower' && t < 100) { core.tick(); t++ }
      firings.push(t)
    }
    assert.ok(firings.every(t => t >= 10 && t < 20), String(firings))
    assert.ok(new Set(firings).size > 3, 'timeouts should vary with the seed')
  })
})
