// Learners (thesis §4.2.1) and single-server membership changes (thesis §4.1, §4.2.2, §4.3),
// on a hand-driven network of cores: learners replicate but never vote or count, changes go one
// at a time and only after the leader committed an entry of its term, and the quorum follows the
// configuration as soon as a change is applied.
import { strict as assert } from 'node:assert'
import { ProposalDroppedError } from '../../../src/raft/api.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import { Network, text } from './network.js'

describe('raft core: learners and membership changes', () => {
  it('thesis §4.2.1: a learner replicates and applies the log but never campaigns', () => {
    const net = Network.of(['n1', 'n2'], {}, ['n3'])
    net.elect('n1')
    net.propose('n1', 'a')
    assert.deepEqual(net.appliedText('n3'), ['a'])
    net.isolate('n1')
    for (let i = 0; i < 10; i++) { net.tick('n3', 20); net.stabilize() }
    assert.equal(net.core('n3').status().role, 'follower')
    assert.equal(net.delivered.filter(m => m.from === 'n3' && m.type === 'MsgVote').length, 0)
  })

  it('thesis §4.2.1: candidates ask voters only, and a learner\'s acknowledgement does not count towards commit', () => {
    const net = Network.of(['n1', 'n2'], {}, ['n3'])
    net.elect('n1')
    assert.deepEqual(net.delivered.filter(m => m.type === 'MsgVote').map(m => m.to), ['n2'])
    net.isolate('n2')
    net.propose('n1', 'needs n2')
    assert.equal(net.core('n3').status().lastIndex, net.core('n1').status().lastIndex, 'the learner has the entry')
    assert.ok(net.core('n1').status().commit < net.core('n1').status().lastIndex, 'but it is not committed without n2')
  })

  it('thesis §4.1: adding a voter takes effect when applied; the new server catches up from the log', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.propose('n1', 'before')
    net.add('n4', new MemoryRaftStorage()) // empty configuration: learns it from the log
    net.core('n1').proposeConfChange({ type: 'addVoter', nodeId: 'n4' })
    net.stabilize()
    net.tickAll(1)
    net.stabilize()
    for (const id of ['n1', 'n2', 'n3', 'n4']) assert.deepEqual(net.node(id).confState, { voters: ['n1', 'n2', 'n3', 'n4'], learners: [] }, id)
    assert.deepEqual(net.appliedText('n4'), ['before'])
    // 4 voters: a commit now needs 3 of them
    net.isolate('n2'); net.isolate('n3')
    net.propose('n1', 'needs three')
    assert.ok(net.core('n1').status().commit < net.core('n1').status().lastIndex)
  })

  it('thesis §4.1: one change at a time — a second change is refused until the first is applied', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n1') // the first change cannot commit
    net.core('n1').proposeConfChange({ type: 'addLearner', nodeId: 'n4' })
    assert.throws(() => net.core('n1').proposeConfChange({ type: 'addLearner', nodeId: 'n5' }),
      (err: unknown) => err instanceof ProposalDroppedError && /not applied yet/.test(err.message))
    net.heal()
    net.tickAll(1)
    net.stabilize()
    net.core('n1').proposeConfChange({ type: 'addLearner', nodeId: 'n5' }) // now accepted
    net.stabilize()
    assert.deepEqual(net.node('n1').confState, { voters: ['n1', 'n2', 'n3'], learners: ['n4', 'n5'] })
  })

  it('thesis §4.1 (single-server change safety fix): a new leader accepts no change before it committed an entry of its term', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.dropTypes.add('MsgAppResp') // the no-op is never acknowledged
    net.elect('n1')
    assert.equal(net.core('n1').status().role, 'leader')
    assert.throws(() => net.core('n1').proposeConfChange({ type: 'addLearner', nodeId: 'n4' }),
      (err: unknown) => err instanceof ProposalDroppedError && /committed an entry of its term/.test(err.message))
    net.dropTypes.clear()
    net.tickAll(1)
    net.stabilize()
    net.core('n1').proposeConfChange({ type: 'addLearner', nodeId: 'n4' })
  })

  it('thesis §4.1: removing voters shrinks the quorum — 2 of 3 remaining voters commit where 2 of 5 could not', () => {
    const net = Network.of(['n1', 'n2', 'n3', 'n4', 'n5'])
    net.elect('n1')
    net.isolate('n4'); net.isolate('n5')
    for (const id of ['n5', 'n4']) {
      net.core('n1').proposeConfChange({ type: 'removeNode', nodeId: id })
      net.stabilize()
    }
    assert.deepEqual(net.node('n1').confState.voters, ['n1', 'n2', 'n3'])
    net.isolate('n3')
    net.propose('n1', 'two of three')
    assert.equal(net.core('n1').status().commit, net.core('n1').status().lastIndex)
  })

  it('thesis §4.2.2: a leader that removes itself steps down once the change is applied and hands over at once', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.core('n1').proposeConfChange({ type: 'removeNode', nodeId: 'n1' })
    net.stabilize()
    assert.equal(net.core('n1').status().role, 'follower')
    assert.ok(net.delivered.some(m => m.type === 'MsgTimeoutNow' && m.from === 'n1'))
    const leader = net.leader()
    assert.ok(leader === 'n2' || leader === 'n3', String(leader))
    assert.deepEqual(net.node(leader).confState.voters, ['n2', 'n3'])
    // the removed server cannot campaign any more
    net.tick('n1', 50)
    assert.equal(net.core('n1').status().role, 'follower')
  })

  it('thesis §4.1: a learner is promoted to voter by a conf change, then counts towards commit', () => {
    const net = Network.of(['n1', 'n2'], {}, ['n3'])
    net.elect('n1')
    net.core('n1').proposeConfChange({ type: 'addVoter', nodeId: 'n3' })
    net.stabilize()
    assert.deepEqual(net.node('n1').confState, { voters: ['n1', 'n2', 'n3'], learners: [] })
    net.isolate('n2')
    net.core('n1').propose(text('with n3'))
    net.stabilize()
    assert.equal(net.core('n1').status().commit, net.core('n1').status().lastIndex)
  })

  it('thesis §4.1: a change that would leave no voters is refused', () => {
    const net = Network.of(['n1'], {}, ['n2'])
    net.elect('n1')
    for (const change of [{ type: 'removeNode' as const, nodeId: 'n1' }, { type: 'addLearner' as const, nodeId: 'n1' }]) {
      assert.throws(() => net.core('n1').proposeConfChange(change), (err: unknown) => err instanceof ProposalDroppedError && /no voters/.test(err.message))
    }
  })
})
