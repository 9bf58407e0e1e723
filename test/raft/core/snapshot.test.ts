// Log compaction and InstallSnapshot (§7), after etcd's TestSendingSnapshotSetPendingSnapshot /
// TestRestore*: a leader whose log was compacted sends a follower its snapshot; the follower
// replaces its log, takes the snapshot's configuration, and then catches up by normal appends.
import { strict as assert } from 'node:assert'
import { createRaftCore } from '../../../src/raft/core/index.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Snapshot } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'
import { Network, text } from './network.js'

function compact (net: Network, id: string): Snapshot {
  const node = net.node(id)
  const applied = node.core.status().applied
  const snap = node.storage.createSnapshot(applied, node.confState, text(`state@${applied}`))
  node.storage.compact(applied)
  return snap
}

describe('raft core: snapshots and InstallSnapshot', () => {
  it('§7: a follower behind the leader\'s compacted log receives the snapshot, installs it, then catches up', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 5; i++) net.propose('n1', `v${i}`)
    const snap = compact(net, 'n1')
    net.propose('n1', 'after') // an entry beyond the snapshot
    net.heal()
    net.tickAll(1)
    const msgs = net.stabilize()
    const sent = msgs.filter(m => m.type === 'MsgSnap')
    assert.equal(sent.length, 1)
    assert.equal(sent[0]!.snapshot?.metadata.index, snap.metadata.index)
    const n3 = net.node('n3')
    assert.equal(n3.storage.snapshot().metadata.index, snap.metadata.index, 'the follower saved the snapshot')
    assert.deepEqual(n3.confState, { voters: ['n1', 'n2', 'n3'], learners: [] })
    assert.equal(n3.core.status().lastIndex, net.core('n1').status().lastIndex)
    assert.deepEqual(net.appliedText('n3'), ['after'], 'entries after the snapshot are applied normally')
    // the leader's progress for n3 went snapshot → probe → replicate
    net.core('n1').reportSnapshot('n3', 'finish')
    net.stabilize()
    assert.equal(net.core('n1').status().progress?.n3?.state, 'replicate')
  })

  it('§7: while a snapshot is in flight the leader sends that follower nothing else', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 3; i++) net.propose('n1', `v${i}`)
    compact(net, 'n1')
    net.heal()
    net.dropTypes.add('MsgSnap') // the snapshot is lost in transit
    net.tickAll(1)
    net.stabilize()
    assert.equal(net.core('n1').status().progress?.n3?.state, 'snapshot')
    const from = net.delivered.length
    net.propose('n1', 'more')
    assert.equal(net.delivered.slice(from).filter(m => m.to === 'n3' && m.type === 'MsgApp' && m.entries.length > 0).length, 0)
    // the transport reports the failure: the leader probes again and resends the snapshot
    net.dropTypes.clear()
    net.core('n1').reportSnapshot('n3', 'failure')
    net.tickAll(1)
    net.stabilize()
    assert.deepEqual(net.appliedText('n3'), ['more'])
  })

  it('§7: a snapshot that is not newer than the follower\'s commit index is ignored, and the follower reports its commit', () => {
    const storage = new MemoryRaftStorage({ voters: ['n1', 'n2'], learners: [] })
    storage.save({ entries: [1, 2, 3, 4, 5].map(i => ({ term: 1, index: i, type: 'normal' as const, data: new Uint8Array(0) })), hardState: { term: 1, vote: '', commit: 5 } })
    const core = createRaftCore({ id: 'n2', storage, rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
    const snapshot: Snapshot = { metadata: { index: 3, term: 1, confState: { voters: ['n1', 'n2'], learners: [] } }, data: new Uint8Array(0) }
    core.step(makeMessage({ type: 'MsgSnap', from: 'n1', to: 'n2', term: 1, snapshot }))
    const rd = core.ready()
    assert.equal(rd.snapshot, undefined)
    assert.deepEqual(rd.messages.map(m => `${m.type} ${m.index}`), ['MsgAppResp 5'])
  })

  it('§7: a follower whose log already holds the snapshot\'s last entry keeps its log and only commits', () => {
    const storage = new MemoryRaftStorage({ voters: ['n1', 'n2'], learners: [] })
    storage.save({ entries: [1, 2, 3, 4, 5].map(i => ({ term: 1, index: i, type: 'normal' as const, data: new Uint8Array(0) })), hardState: { term: 1, vote: '', commit: 2 } })
    const core = createRaftCore({ id: 'n2', storage, rng: createPrng(1), electionTick: 10, heartbeatTick: 1 })
    const snapshot: Snapshot = { metadata: { index: 4, term: 1, confState: { voters: ['n1', 'n2'], learners: [] } }, data: new Uint8Array(0) }
    core.step(makeMessage({ type: 'MsgSnap', from: 'n1', to: 'n2', term: 1, snapshot }))
    const rd = core.ready()
    assert.equal(rd.snapshot, undefined)
    assert.equal(core.status().commit, 4)
    assert.equal(core.status().lastIndex, 5)
  })

  it('§7: a follower restarted on an installed snapshot resumes from it', () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 4; i++) net.propose('n1', `v${i}`)
    compact(net, 'n1')
    net.heal()
    net.tickAll(1)
    net.stabilize()
    net.restart('n3')
    const st = net.core('n3').status()
    assert.equal(st.commit, net.node('n3').storage.snapshot().metadata.index)
    assert.deepEqual(st.confState, { voters: ['n1', 'n2', 'n3'], learners: [] })
    net.propose('n1', 'later')
    assert.deepEqual(net.appliedText('n3'), ['later'])
  })
})
