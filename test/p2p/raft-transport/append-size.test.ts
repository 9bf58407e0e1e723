// Checks that the largest MsgApp a Raft core builds fits the transport's maxMessageBytes with the
// daemon's limits (RAFT_MESSAGE_LIMITS), so it is never dropped as oversize (a follower would
// then never catch up). The bound is largestAppendBytes: MAX_APPEND_HEADER_BYTES is what the
// worst header encodes to, exactly; an entry's encoding adds at most ENTRY_OVERHEAD_BYTES to its
// data (measured at every varint width up to 2 MiB of data). Then with a real core and the real
// encoder: a leader given 200,000 empty entries in one proposal (as a peer may send) replicates
// them in MsgApps that each encode within header + maxSizePerMsgBytes, to a follower in step and
// to one that lagged (counting data alone, one MsgApp took them all); one entry of exactly
// maxEntryBytes goes out alone in a MsgApp under maxMessageBytes, and one byte more is refused.
import { strict as assert } from 'node:assert'
import { RAFT_MESSAGE_LIMITS } from '../../../src/cluster/raft-namespace-log.js'
import { MAX_NODE_ID_CHARS } from '../../../src/p2p/raft-transport/constants.js'
import { MAX_APPEND_HEADER_BYTES, decodeRaftMessage, encodeRaftMessage, largestAppendBytes } from '../../../src/p2p/raft-transport/index.js'
import { EntryTooLargeError } from '../../../src/raft/api.js'
import { MAX_ENTRIES_PER_PROPOSAL } from '../../../src/raft/core/constants.js'
import { makeMessage } from '../../../src/raft/core/messages.js'
import { ENTRY_OVERHEAD_BYTES } from '../../../src/raft/storage.js'
import type { Message } from '../../../src/raft/types.js'
import { Network } from '../../raft/core/network.js'

const MAX = Number.MAX_SAFE_INTEGER

function worstHeader (): Message {
  // 128 UTF-16 units of a 3-byte UTF-8 character: the longest id the receiver accepts, in bytes
  const longestId = '€'.repeat(MAX_NODE_ID_CHARS)
  return { type: 'MsgApp', from: longestId, to: longestId, term: MAX, logTerm: MAX, index: MAX, entries: [], commit: MAX, reject: true, rejectHint: MAX }
}

describe('p2p raft transport: the largest MsgApp fits a message', function () {
  this.timeout(60_000)
  const limits = RAFT_MESSAGE_LIMITS

  it('the worst header encodes to exactly MAX_APPEND_HEADER_BYTES, and the receiver accepts it', () => {
    const bytes = encodeRaftMessage(worstHeader())
    assert.equal(bytes.byteLength, MAX_APPEND_HEADER_BYTES)
    assert.equal(decodeRaftMessage(bytes).from.length, MAX_NODE_ID_CHARS)
  })

  it('an entry adds at most ENTRY_OVERHEAD_BYTES to its data', () => {
    const header = encodeRaftMessage(worstHeader()).byteLength
    let most = 0
    // each varint width of the entry's and the data's lengths, from both sides of each step
    for (const dataBytes of [0, 1, 100, 101, 127, 128, 16_350, 16_383, 16_384, 2 ** 21 - 30, 2 ** 21]) {
      const m: Message = { ...worstHeader(), entries: [{ term: MAX, index: MAX, type: 'confChange', data: new Uint8Array(dataBytes).fill(1) }] }
      const overhead = encodeRaftMessage(m).byteLength - header - dataBytes
      assert.ok(overhead <= ENTRY_OVERHEAD_BYTES, `${dataBytes} bytes of data: ${overhead} bytes of overhead`)
      most = Math.max(most, overhead)
    }
    // the two bytes left are for lengths of 5 varint bytes, from 256 MiB (not allocated here)
    assert.equal(most, ENTRY_OVERHEAD_BYTES - 2)
  })

  it('the daemon\'s limits: the largest MsgApp is within maxMessageBytes', () => {
    assert.ok(largestAppendBytes(limits) <= limits.maxMessageBytes, `${largestAppendBytes(limits)} > ${limits.maxMessageBytes}`)
  })

  it('200,000 empty entries reach the followers in MsgApps of at most header + maxSizePerMsgBytes', () => {
    const net = Network.of(['n1', 'n2', 'n3'], { maxSizePerMsgBytes: limits.maxSizePerMsgBytes, maxEntryBytes: limits.maxEntryBytes })
    net.elect('n1')
    net.isolate('n3')
    const leader = net.core('n1')
    // as a peer may forward them: proposals of as many empty entries as one may carry
    const empties = Array.from({ length: MAX_ENTRIES_PER_PROPOSAL }, () => ({ term: 0, index: 0, type: 'normal' as const, data: new Uint8Array(0) }))
    while (leader.status().lastIndex < 200_000) leader.step(makeMessage({ type: 'MsgProp', from: 'n2', to: 'n1', entries: empties }))
    const toN2 = net.stabilize()
    net.heal()
    net.tickAll(1)
    const apps = [...toN2, ...net.stabilize()].filter(m => m.type === 'MsgApp' && m.entries.length > 0)
    for (const m of apps) {
      const bytes = encodeRaftMessage(m).byteLength
      assert.ok(bytes <= MAX_APPEND_HEADER_BYTES + limits.maxSizePerMsgBytes, `a MsgApp of ${m.entries.length} entries in ${bytes} bytes`)
    }
    assert.ok(apps.length >= 2 * 200_000 * ENTRY_OVERHEAD_BYTES / limits.maxSizePerMsgBytes, `${apps.length} MsgApps`)
    for (const id of ['n2', 'n3']) assert.equal(net.core(id).status().commit, leader.status().lastIndex)
  })

  it('one entry of exactly maxEntryBytes goes out alone under maxMessageBytes; one byte more is refused', () => {
    const net = Network.of(['n1', 'n2'], { maxSizePerMsgBytes: limits.maxSizePerMsgBytes, maxEntryBytes: limits.maxEntryBytes })
    net.elect('n1')
    const leader = net.core('n1')
    assert.throws(() => leader.propose(new Uint8Array(limits.maxEntryBytes + 1)), EntryTooLargeError)
    leader.propose(new Uint8Array(limits.maxEntryBytes).fill(7))
    net.processReady('n1')
    const app = net.queue.find(m => m.type === 'MsgApp' && m.entries.some(e => e.data.byteLength === limits.maxEntryBytes))
    assert.ok(app !== undefined)
    assert.equal(app.entries.length, 1)
    const bytes = encodeRaftMessage(app).byteLength
    assert.ok(bytes <= largestAppendBytes(limits) && bytes <= limits.maxMessageBytes, `${bytes} bytes`)
    net.stabilize()
    assert.equal(net.core('n2').status().commit, leader.status().lastIndex)
  })
})
