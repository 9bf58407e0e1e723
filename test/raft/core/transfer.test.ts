// Leadership transfer (thesis §3.10), after etcd's TestLeaderTransfer*: the leader brings the
// target's log up to date, then sends MsgTimeoutNow; the target campaigns at once (skipping
// pre-vote and the followers' leader lease). Proposals are refused while a transfer is under way,
// and a transfer that does not finish within an election timeout is abandoned.
import { strict as assert } from 'node:assert'
import { ProposalDroppedError } from '../../../src/raft/api.js'
import { Network, text } from './network.js'

describe('raft core: leadership transfer', () => {
  it('thesis §3.10: to an up-to-date follower: MsgTimeoutNow at once, the target wins the next term', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    const term = net.core('n1').status().term
    net.core('n1').transferLeadership('n2')
    net.stabilize()
    assert.equal(net.core('n2').status().role, 'leader')
    assert.equal(net.core('n2').status().term, term + 1)
    assert.equal(net.core('n1').status().leader, 'n2')
  })

  it('thesis §3.10: to a lagging follower: the leader first replicates what it misses', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    net.propose('n1', 'a')
    net.propose('n1', 'b')
    net.heal()
    net.core('n1').transferLeadership('n3')
    const msgs = net.stabilize()
    const firstTimeoutNow = msgs.findIndex(m => m.type === 'MsgTimeoutNow')
    const lastAppToN3 = msgs.findIndex(m => m.type === 'MsgAppResp' && m.from === 'n3' && !m.reject)
    assert.ok(lastAppToN3 >= 0 && lastAppToN3 < firstTimeoutNow, 'catch up before MsgTimeoutNow')
    assert.equal(net.core('n3').status().role, 'leader')
    assert.deepEqual(net.appliedText('n3'), ['a', 'b'])
  })

  it('thesis §3.10: proposals are refused while a transfer is in progress', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    net.core('n1').transferLeadership('n3')
    assert.throws(() => net.core('n1').propose(text('x')), (err: unknown) => err instanceof ProposalDroppedError && /transferred/.test(err.message))
  })

  it('thesis §3.10: a transfer that does not finish within an election timeout is abandoned', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    net.core('n1').transferLeadership('n3')
    for (let i = 0; i < 10; i++) { net.tick('n1'); net.stabilize() }
    assert.equal(net.core('n1').status().role, 'leader')
    net.core('n1').propose(text('accepted again'))
  })

  it('thesis §3.10 / §9.6: MsgTimeoutNow overrides pre-vote and the leader lease of check-quorum', () => {
    const net = Network.of(['n1', 'n2', 'n3'], { preVote: true, checkQuorum: true })
    net.elect('n1')
    net.core('n1').transferLeadership('n2')
    net.stabilize()
    assert.equal(net.core('n2').status().role, 'leader')
  })

  it('thesis §3.10: a transfer request on a follower is forwarded to the leader', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.core('n3').transferLeadership('n3')
    net.stabilize()
    assert.equal(net.core('n3').status().role, 'leader')
  })

  it('thesis §3.10: a learner cannot receive leadership', () => {
    const net = Network.of(['n1', 'n2'], {}, ['n3'])
    net.elect('n1')
    assert.throws(() => net.core('n1').transferLeadership('n3'), ProposalDroppedError)
  })
})
