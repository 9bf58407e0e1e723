// Per-follower flow control (etcd's TestProgress* / TestMsgAppFlowControl*; thesis §10.2): in
// replicate state the leader pipelines at most maxInflightMsgs unacknowledged MsgApp, exactly;
// in probe state one at a time; maxSizePerMsgBytes caps a message, counting each entry's data
// plus ENTRY_OVERHEAD_BYTES (so empty entries are not free), exactly at the cap, from storage and
// from the unstable tail; maxEntryBytes refuses a proposal one byte over it, local or forwarded,
// on any role; maxUncommittedEntriesBytes caps what proposals may pile up (empty entries
// counted with their overhead too), and one proposal carries at most MAX_ENTRIES_PER_PROPOSAL.
import { strict as assert } from 'node:assert'
import { EntryTooLargeError, ProposalDroppedError } from '../../../src/raft/api.js'
import { MAX_ENTRIES_PER_PROPOSAL } from '../../../src/raft/core/constants.js'
import { RaftLog } from '../../../src/raft/core/raft-log.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { ENTRY_OVERHEAD_BYTES } from '../../../src/raft/storage.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Entry } from '../../../src/raft/types.js'
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

  it('thesis §10.2.1: a MsgApp carries at least one entry, even one over maxSizePerMsgBytes, and then only that one', () => {
    // each entry counts 5 bytes of data plus ENTRY_OVERHEAD_BYTES, over the cap of 10 alone: a
    // cap on data only would put two in a message, no "at least one" would send none
    const net = Network.of(['n1', 'n2', 'n3'], { maxSizePerMsgBytes: 10 })
    net.elect('n1')
    net.isolate('n3')
    for (let i = 0; i < 6; i++) net.propose('n1', '12345')
    net.heal()
    net.tickAll(1)
    const msgs = net.stabilize().filter(m => m.type === 'MsgApp' && m.to === 'n3' && m.entries.length > 0)
    assert.ok(msgs.length >= 6, `${msgs.length} MsgApp carried the 6 entries`)
    for (const m of msgs) assert.equal(m.entries.length, 1)
    assert.deepEqual(net.appliedText('n3').length, 6)
  })

  it('thesis §10.2.1: maxUncommittedEntriesBytes: proposals over the budget are dropped until entries commit', () => {
    // exactly two entries of 5 bytes (each counted with its overhead) fit the budget
    const net = Network.of(['n1', 'n2', 'n3'], { maxUncommittedEntriesBytes: 2 * (5 + ENTRY_OVERHEAD_BYTES) })
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

  it('empty entries count against maxUncommittedEntriesBytes: exactly the budget of them is taken, one more dropped', () => {
    const net = Network.of(['n1', 'n2', 'n3'], { maxUncommittedEntriesBytes: 10 * ENTRY_OVERHEAD_BYTES })
    net.elect('n1')
    net.isolate('n1')
    for (let i = 0; i < 10; i++) net.core('n1').propose(new Uint8Array(0))
    assert.throws(() => net.core('n1').propose(new Uint8Array(0)), (err: unknown) => err instanceof ProposalDroppedError && /uncommitted/.test(err.message))
  })

  it(`one proposal carries at most MAX_ENTRIES_PER_PROPOSAL (${MAX_ENTRIES_PER_PROPOSAL}) entries: exactly that many are appended, one more and none are`, () => {
    const net = Network.of(['n1', 'n2', 'n3'])
    net.elect('n1')
    const leader = net.core('n1')
    const empties = (n: number): Entry[] => Array.from({ length: n }, () => ({ term: 0, index: 0, type: 'normal' as const, data: new Uint8Array(0) }))
    // as a peer may forward them
    const before = leader.status().lastIndex
    leader.step(makeMessage({ type: 'MsgProp', from: 'n2', to: 'n1', entries: empties(MAX_ENTRIES_PER_PROPOSAL) }))
    assert.equal(leader.status().lastIndex, before + MAX_ENTRIES_PER_PROPOSAL)
    net.stabilize()
    leader.step(makeMessage({ type: 'MsgProp', from: 'n2', to: 'n1', entries: empties(MAX_ENTRIES_PER_PROPOSAL + 1) }))
    assert.equal(leader.status().lastIndex, before + MAX_ENTRIES_PER_PROPOSAL)
  })

  it('an entry counts its data plus ENTRY_OVERHEAD_BYTES: a MsgApp carries exactly the empty entries that fit, not all of them', () => {
    for (const [cap, perMessage] of [[4 * ENTRY_OVERHEAD_BYTES, 4], [4 * ENTRY_OVERHEAD_BYTES - 1, 3]] as const) {
      const net = Network.of(['n1', 'n2', 'n3'], { maxSizePerMsgBytes: cap })
      net.elect('n1')
      net.isolate('n3')
      for (let i = 0; i < 20; i++) net.core('n1').propose(new Uint8Array(0))
      net.stabilize()
      net.heal()
      net.tickAll(1)
      const apps = net.stabilize().filter(m => m.type === 'MsgApp' && m.to === 'n3' && m.entries.length > 0)
      const counts = apps.map(m => m.entries.length)
      // every message but the last is full, at exactly the cap
      assert.ok(counts.length > 2, `${counts.join(',')}`)
      for (const n of counts.slice(0, -1)) assert.equal(n, perMessage, `cap ${cap}: ${counts.join(',')}`)
      assert.equal(net.core('n3').status().commit, net.core('n1').status().commit)
    }
  })

  it('the cap holds to the byte across stable and unstable entries', () => {
    const storage = new MemoryRaftStorage({ voters: ['n1'], learners: [] })
    const ent = (index: number, dataBytes: number): Entry => ({ term: 1, index, type: 'normal', data: new Uint8Array(dataBytes) })
    storage.save({ entries: [ent(1, 10), ent(2, 0)] })
    const log = new RaftLog(storage)
    log.append([ent(3, 0), ent(4, 7), ent(5, 0)])
    const size = (dataBytes: number): number => dataBytes + ENTRY_OVERHEAD_BYTES
    const upTo4 = size(10) + size(0) + size(0) + size(7)
    assert.deepEqual(log.entries(1, upTo4)?.map(e => e.index), [1, 2, 3, 4], 'exactly the cap')
    assert.deepEqual(log.entries(1, upTo4 - 1)?.map(e => e.index), [1, 2, 3], 'one byte short')
    assert.deepEqual(log.entries(1, size(10) + size(0) - 1)?.map(e => e.index), [1], 'one byte short, within storage')
    assert.deepEqual(log.entries(3, 2 * size(0))?.map(e => e.index), [3], 'within the unstable tail: a 7-byte entry does not fit')
    assert.deepEqual(log.entries(2, 0)?.map(e => e.index), [2], 'always at least one')
  })

  it('maxEntryBytes: exactly the limit is appended, one byte more is refused on the leader and on a follower, and dropped when forwarded', () => {
    const limit = 100
    const net = Network.of(['n1', 'n2', 'n3'], { maxEntryBytes: limit })
    net.elect('n1')
    const leader = net.core('n1')
    let last = leader.status().lastIndex
    leader.propose(new Uint8Array(limit))
    assert.equal(leader.status().lastIndex, ++last)
    const tooLarge = (err: unknown): boolean => err instanceof EntryTooLargeError && err instanceof ProposalDroppedError && /101 bytes is over the limit of 100/.test(err.message)
    assert.throws(() => leader.propose(new Uint8Array(limit + 1)), tooLarge)
    // a follower refuses it too, before forwarding it
    const sent = net.queue.length
    assert.throws(() => net.core('n2').propose(new Uint8Array(limit + 1)), tooLarge)
    net.processReady('n2')
    assert.equal(net.queue.slice(sent).filter(m => m.type === 'MsgProp').length, 0)
    // a peer may send anything: a forwarded proposal over the limit is dropped, one at it is not
    const forwarded = (dataBytes: number, to: string): ReturnType<typeof makeMessage> =>
      makeMessage({ type: 'MsgProp', from: 'n3', to, entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(dataBytes) }] })
    leader.step(forwarded(limit + 1, 'n1'))
    leader.step(makeMessage({ ...forwarded(0, 'n1'), entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }, { term: 0, index: 0, type: 'normal', data: new Uint8Array(limit + 1) }] }))
    assert.equal(leader.status().lastIndex, last)
    leader.step(forwarded(limit, 'n1'))
    assert.equal(leader.status().lastIndex, ++last)
    const before = net.queue.length
    net.core('n2').step(forwarded(limit + 1, 'n2'))
    net.processReady('n2')
    assert.equal(net.queue.slice(before).filter(m => m.type === 'MsgProp').length, 0, 'a follower does not pass it on')
    net.stabilize()
    assert.equal(net.core('n3').status().lastIndex, last)
  })
})
