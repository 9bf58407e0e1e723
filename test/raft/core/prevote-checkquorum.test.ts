// Pre-vote (thesis §9.6), check-quorum (thesis §6.2) and the leader lease on votes (thesis
// §4.2.3): a partitioned or removed server must not disrupt a working leader, and a leader that
// lost its majority must step down. Scenarios follow etcd's raft_test.go (TestPreVote*,
// TestLeaderElectionWithCheckQuorum, TestFreeStuckCandidateWithCheckQuorum) on a hand-driven network.
import { strict as assert } from 'node:assert'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { Network, describe as show } from './network.js'

const VOTERS = ['n1', 'n2', 'n3']

describe('raft core: pre-vote and check-quorum', () => {
  it('thesis §9.6: with pre-vote, a partitioned follower does not raise its term, and rejoining does not depose the leader', () => {
    const net = Network.of(VOTERS, { preVote: true })
    net.elect('n1')
    const term = net.core('n1').status().term
    net.isolate('n3')
    for (let i = 0; i < 10; i++) { net.tick('n3', 20); net.stabilize() }
    assert.equal(net.core('n3').status().term, term, 'pre-elections do not change the term')
    assert.equal(net.core('n3').status().role, 'preCandidate')
    net.heal()
    net.tickAll(1)
    net.stabilize()
    assert.equal(net.core('n1').status().role, 'leader')
    assert.equal(net.core('n1').status().term, term)
    assert.equal(net.core('n3').status().leader, 'n1')
  })

  it('thesis §9.6 (contrast): without pre-vote the same partition raises the term and deposes the leader on return', () => {
    const net = Network.of(VOTERS)
    net.elect('n1')
    const term = net.core('n1').status().term
    net.isolate('n3')
    for (let i = 0; i < 3; i++) { net.tick('n3', 20); net.stabilize() }
    assert.ok(net.core('n3').status().term > term)
    net.heal()
    net.tick('n3', 20) // its next election reaches everyone with a higher term
    net.stabilize()
    assert.ok(net.core('n1').status().term > term, 'the leader saw a higher term')
    assert.notEqual(net.core('n1').status().role, 'leader')
  })

  it('thesis §9.6: a pre-candidate that wins the pre-vote campaigns in term+1 and wins', () => {
    const net = Network.of(VOTERS, { preVote: true })
    net.elect('n1')
    const term = net.core('n1').status().term
    net.isolate('n1') // the leader is gone
    net.elect('n2')
    assert.equal(net.core('n2').status().role, 'leader')
    assert.equal(net.core('n2').status().term, term + 1)
    const types = new Set(net.delivered.map(m => m.type))
    assert.ok(types.has('MsgPreVote') && types.has('MsgPreVoteResp'))
  })

  it('thesis §9.6: pre-vote is rejected for a candidate whose log is behind (§5.4.1 applies to pre-votes)', () => {
    const net = Network.of(VOTERS, { preVote: true })
    net.elect('n1')
    net.isolate('n3')
    net.propose('n1', 'x')
    net.heal()
    net.isolate('n1')
    const term = net.core('n3').status().term
    net.elect('n3') // n3 misses the entry: n2 rejects its pre-vote
    assert.ok(net.delivered.some(m => m.type === 'MsgPreVoteResp' && m.from === 'n2' && m.reject))
    assert.notEqual(net.core('n3').status().role, 'leader')
    assert.equal(net.core('n3').status().term, term, 'a lost pre-vote changes no term')
    assert.equal(net.core('n2').status().term, term)
  })

  it('thesis §6.2: with check-quorum, a leader that hears from no majority for an election timeout steps down', () => {
    const net = Network.of(VOTERS, { checkQuorum: true })
    net.elect('n1')
    net.isolate('n1')
    // the first check after the election still sees the followers' answers to the election's
    // appends; the second (one election timeout later) sees silence
    net.tick('n1', 19)
    assert.equal(net.core('n1').status().role, 'leader')
    net.tick('n1', 1)
    assert.equal(net.core('n1').status().role, 'follower')
    assert.equal(net.core('n1').status().leader, '')
  })

  it('thesis §6.2: with check-quorum, a leader in touch with a majority stays leader', () => {
    const net = Network.of(VOTERS, { checkQuorum: true })
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 50; i++) { net.tick('n1'); net.stabilize() }
    assert.equal(net.core('n1').status().role, 'leader')
  })

  it('thesis §4.2.3: with check-quorum, a follower that heard from its leader within the election timeout ignores vote requests', () => {
    const net = Network.of(VOTERS, { checkQuorum: true })
    net.elect('n1')
    const term = net.core('n2').status().term
    net.core('n2').step(makeMessage({ type: 'MsgVote', from: 'n3', to: 'n2', term: term + 5, index: 100, logTerm: 100 }))
    assert.equal(net.core('n2').status().term, term, 'the disruptive term is not adopted')
    net.processReady('n2')
    assert.equal(net.queue.filter(m => m.to === 'n3').length, 0, 'no vote is granted or refused')
  })

  it('§5.1 with check-quorum: a stale leader returning from a partition is told the new term and steps down', () => {
    const net = Network.of(VOTERS, { checkQuorum: true, preVote: true })
    net.elect('n1')
    net.isolate('n1')
    for (let i = 0; i < 40; i++) { net.tickAll(1); net.stabilize() } // n1 steps down; n2 or n3 wins
    const newLeader = net.leader()
    assert.ok(newLeader !== undefined && newLeader !== 'n1')
    // a stale MsgApp from n1's old term is answered with the current term
    const oldTerm = net.core('n1').status().term
    net.heal()
    net.core(newLeader).step(makeMessage({ type: 'MsgApp', from: 'n1', to: newLeader, term: oldTerm, index: 0, logTerm: 0 }))
    net.processReady(newLeader)
    const reply = net.queue.find(m => m.to === 'n1' && m.type === 'MsgAppResp')
    assert.ok(reply !== undefined && reply.term > oldTerm)
    net.stabilize()
    assert.notEqual(net.core('n1').status().role, 'leader')
  })

  it('thesis §9.6: the full exchange of a pre-vote election, message by message', () => {
    const net = Network.of(VOTERS, { preVote: true })
    net.elect('n1')
    assert.deepEqual(net.delivered.map(show), [
      'n1->n2 MsgPreVote term=2',
      'n1->n3 MsgPreVote term=2',
      'n2->n1 MsgPreVoteResp term=2',
      'n3->n1 MsgPreVoteResp term=2',
      'n1->n2 MsgVote term=2',
      'n1->n3 MsgVote term=2',
      'n2->n1 MsgVoteResp term=2',
      'n3->n1 MsgVoteResp term=2',
      'n1->n2 MsgApp term=2 index=3 logTerm=1 entries=1 commit=3',
      'n1->n3 MsgApp term=2 index=3 logTerm=1 entries=1 commit=3',
      'n2->n1 MsgAppResp term=2 index=4',
      'n3->n1 MsgAppResp term=2 index=4',
      'n1->n2 MsgApp term=2 index=4 logTerm=2 entries=0 commit=4',
      'n1->n3 MsgApp term=2 index=4 logTerm=2 entries=0 commit=4',
      'n2->n1 MsgAppResp term=2 index=4',
      'n3->n1 MsgAppResp term=2 index=4'
    ])
  })
})
