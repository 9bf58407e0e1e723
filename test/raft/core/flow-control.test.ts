// Per-follower flow control (etcd's TestProgress* / TestMsgAppFlowControl*; thesis §10.2): in
// replicate state the leader pipelines at most maxInflightMsgs unacknowledged MsgApp, exactly;
// in probe state one at a time; maxSizePerMsgBytes caps a message and maxUncommittedEntriesBytes
// caps what proposals may pile up.
import { strict as assert } from 'node:assert'
import { ProposalDroppedError } from '../../../src/raft/api.js'
import { Network, text } from './network.js'

function appsTo (net: Network, to: string, from: number): number {
  return net.queue.slice(from).filter(m => m.type === 'MsgApp' && m.to === to && m.entries.length > 0).length
}

describe('raft core: flow control', () => {
  it('thesis §10.2: in replicate state exactly maxInflightMsgs MsgApp are in flight; an ack frees window', () => {
    const net = Network.of(['n1', 'n2'], { maxInflightMsgs: 3 })
    net.elect('n1')
    assert.equal(net.core('n1').status().progress?.n2?.state, 'replicate')
    const leader = net.core('n1')
    for (let i = 0; i < 5; i++) { leader.propose(text(`p${i}`)); net.processReady('n1') }
    assert.equal(appsTo(net, 'n2', 0), 3, 'the window is full at exactly 3')
    // deliver the first MsgApp and its ack: one slot frees, one more MsgApp goes out
    const first = net.queue.shift()!
    net.deliver(first)
    net.processReady('n2')
    const ack = net.queue.pop()!
    assert.equal(ack.type, 'MsgAppResp')
    const before = net.queue.length
    net.deliver(ack)
    net.processReady('n1')
    assert.equal(appsTo(net, 'n2', before), 1)
    net.stabilize()
    assert.equal(leader.status().commit, leader.status().lastIndex)
  })

  it('thesis §10.2: a heartbeat response lets one message through a full window (acks may be lost)', () => {
    const net = Network.of(['n1', 'n2'], { maxInflightMsgs: 2 })
    net.elect('n1')
    net.dropTypes.add('MsgAppResp')
    for (let i = 0; i < 4; i++) { net.core('n1').propose(text(`p${i}`)); net.processReady('n1') }
    net.queue = net.queue.filter(m => m.type !== 'MsgApp') // lost
    net.dropTypes.clear()
    const from = net.queue.length
    net.tick('n1')
    net.processReady('n1')
    net.deliver(net.queue.find(m => m.type === 'MsgHeartbeat')!)
    net.processReady('n2')
    net.deliver(net.queue.find(m => m.type === 'MsgHeartbeatResp')!)
    net.processReady('n1')
    assert.equal(appsTo(net, 'n2', from), 1)
  })

  it('§5.3: in probe state the leader sends one MsgApp and waits for its answer', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    net.propose('n1', 'x')
    net.heal()
    // n3 rejects → probe; further proposals do not pile up MsgApp for n3
    net.core('n1').reportUnreachable('n3')
    assert.equal(net.core('n1').status().progress?.n3?.state, 'probe')
    const from = net.queue.length
    for (let i = 0; i < 3; i++) { net.core('n1').propose(text(`q${i}`)); net.processReady('n1') }
    assert.equal(appsTo(net, 'n3', from), 1)
    net.stabilize()
    net.tickAll(1)
    net.stabilize()
    assert.equal(net.core('n3').status().commit, net.core('n1').status().commit)
  })

  it('thesis §10.2.1: maxSizePerMsgBytes caps the entries of one MsgApp (but always at least one)', () => {
    const net = Network.of(['n1', 'n2', 'n3'], { maxSizePerMsgBytes: 10 })
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 6; i++) net.propose('n1', '12345') // 5 bytes each
    net.heal()
    net.tickAll(1)
    const msgs = net.stabilize().filter(m => m.type === 'MsgApp' && m.to === 'n3' && m.entries.length > 0)
    assert.ok(msgs.length >= 3)
    for (const m of msgs) assert.ok(m.entries.reduce((s, e) => s + e.data.byteLength, 0) <= 10)
    assert.deepEqual(net.appliedText('n3').length, 6)
  })

  it('thesis §10.2.1: maxUncommittedEntriesBytes: proposals over the budget are dropped until entries commit', () => {
    const net = Network.of(['n1', 'n2', 'n3'], { maxUncommittedEntriesBytes: 12 })
    net.elect('n1')
    net.isolate('n1')
    net.core('n1').propose(text('12345'))
    net.core('n1').propose(text('12345'))
    assert.throws(() => net.core('n1').propose(text('12345')), (err: unknown) => err instanceof ProposalDroppedError && /uncommitted/.test(err.message))
    net.heal()
    net.tickAll(1)
    net.stabilize()
    net.core('n1').propose(text('12345'))
  })
})
