// ReadIndex (thesis §6.4), after etcd's TestReadOnlyOptionSafe / TestMsgReadIndexResp: the leader
// answers a read with its commit index only after a heartbeat round confirms a majority still
// follows it, and only once it committed an entry of its own term; followers forward reads.
import { strict as assert } from 'node:assert'
import { Network, text } from './network.js'

describe('raft core: ReadIndex', () => {
  it('thesis §6.4: the leader answers with its commit index after a majority acknowledged a heartbeat carrying the request', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.propose('n1', 'w')
    const commit = net.core('n1').status().commit
    const from = net.delivered.length
    net.core('n1').readIndex(text('r1'))
    net.processReady('n1')
    assert.deepEqual(net.node('n1').readStates, [], 'not before the heartbeat round')
    net.stabilize()
    const hb = net.delivered.slice(from).filter(m => m.type === 'MsgHeartbeat')
    assert.ok(hb.length === 2 && hb.every(m => new TextDecoder().decode(m.context) === 'r1'))
    assert.deepEqual(net.node('n1').readStates.map(rs => [rs.index, new TextDecoder().decode(rs.requestCtx)]), [[commit, 'r1']])
  })

  it('thesis §6.4: a leader cut off from its majority never answers a read', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n1')
    net.core('n1').readIndex(text('r1'))
    net.tickAll(5)
    net.stabilize()
    assert.deepEqual(net.node('n1').readStates, [])
  })

  it('thesis §6.4: one acknowledgement besides the leader suffices in a 3-voter cluster, and releases older requests too', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n1', 'n3')
    net.core('n1').readIndex(text('a'))
    net.core('n1').readIndex(text('b'))
    net.stabilize()
    assert.deepEqual(net.node('n1').readStates.map(rs => new TextDecoder().decode(rs.requestCtx)), ['a', 'b'])
  })

  it('thesis §6.4: a follower forwards the read to the leader and gets the index back', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.propose('n1', 'w')
    net.core('n2').readIndex(text('f1'))
    net.stabilize()
    const rs = net.node('n2').readStates
    assert.equal(rs.length, 1)
    assert.equal(rs[0]!.index, net.core('n1').status().commit)
    assert.ok(net.delivered.some(m => m.type === 'MsgReadIndexResp' && m.to === 'n2'))
  })

  it('thesis §6.4 step 1: a new leader holds reads until it committed an entry of its term', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.dropTypes.add('MsgAppResp')
    net.elect('n1')
    net.core('n1').readIndex(text('early'))
    net.stabilize()
    assert.deepEqual(net.node('n1').readStates, [], 'held back: the commit index may be stale')
    net.dropTypes.clear()
    net.tickAll(1)
    net.stabilize()
    const rs = net.node('n1').readStates
    assert.equal(rs.length, 1)
    assert.equal(rs[0]!.index, net.core('n1').status().commit, 'answered with the commit index of its own term')
  })

  it('thesis §6.4: a single-voter leader answers at once', () => {
    const net = Network.of(['n1'])
    net.elect('n1')
    net.core('n1').readIndex(text('solo'))
    net.processReady('n1')
    assert.equal(net.node('n1').readStates.length, 1)
  })

  it('thesis §6.4: reads pending when leadership is lost are dropped, never answered later with their stale index', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n1')
    net.core('n1').readIndex(text('stale'))
    net.processReady('n1'); net.queue = []
    net.elect('n2') // n2 leads a new term and commits without n1
    net.propose('n2', 'w')
    net.heal()
    net.tickAll(1)
    net.stabilize() // n1 steps down
    net.elect('n1') // n1 leads again; its new heartbeat rounds must not release the old request
    net.core('n1').readIndex(text('fresh'))
    net.stabilize()
    assert.deepEqual(net.node('n1').readStates.map(rs => new TextDecoder().decode(rs.requestCtx)), ['fresh'])
  })
})
