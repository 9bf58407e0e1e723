// Checks the protobuf form of Raft messages: any Message (every type, every field, entries,
// snapshot metadata and data, context absent / empty / set) survives encode → decode
// deep-equal, and decoding refuses what the core must never see: a missing or unknown type,
// an entry without a type, and numbers past 2^53 that would silently lose precision.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { isJadfsError } from '../../../src/errors.js'
import type { Entry, Message, MessageType, Snapshot } from '../../../src/raft/types.js'
import { decodeRaftMessage, encodeRaftMessage, toWire } from '../../../src/p2p/raft-transport/wire-message.js'
import { RaftEntryType, RaftMessage, RaftMessageType } from '../../../src/p2p/raft-transport/raft.js'

const MESSAGE_TYPES: MessageType[] = [
  'MsgHup', 'MsgBeat', 'MsgProp', 'MsgApp', 'MsgAppResp', 'MsgVote', 'MsgVoteResp', 'MsgPreVote',
  'MsgPreVoteResp', 'MsgSnap', 'MsgSnapStatus', 'MsgUnreachable', 'MsgHeartbeat', 'MsgHeartbeatResp',
  'MsgCheckQuorum', 'MsgTransferLeader', 'MsgTimeoutNow', 'MsgReadIndex', 'MsgReadIndexResp'
]

const nodeId = fc.string({ maxLength: 60 })
const count = fc.maxSafeNat()
const bytes = fc.uint8Array({ maxLength: 64 })

const entry: fc.Arbitrary<Entry> = fc.record({
  term: count,
  index: count,
  type: fc.constantFrom('normal' as const, 'confChange' as const),
  data: bytes
}, { noNullPrototype: true })

const snapshot: fc.Arbitrary<Snapshot> = fc.record({
  metadata: fc.record({
    index: count,
    term: count,
    confState: fc.record({ voters: fc.array(nodeId, { maxLength: 5 }), learners: fc.array(nodeId, { maxLength: 5 }) }, { noNullPrototype: true })
  }, { noNullPrototype: true }),
  data: fc.uint8Array({ maxLength: 1024 })
}, { noNullPrototype: true })

const message: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom(...MESSAGE_TYPES),
  from: nodeId,
  to: nodeId,
  term: count,
  logTerm: count,
  index: count,
  entries: fc.array(entry, { maxLength: 8 }),
  commit: count,
  reject: fc.boolean(),
  rejectHint: count,
  snapshot,
  context: bytes
}, { noNullPrototype: true, requiredKeys: ['type', 'from', 'to', 'term', 'logTerm', 'index', 'entries', 'commit', 'reject', 'rejectHint'] })

const heartbeat: Message = {
  type: 'MsgHeartbeat', from: 'a', to: 'b', term: 3, logTerm: 0, index: 0, entries: [], commit: 7, reject: false, rejectHint: 0
}

/** A protobuf varint field by hand: the generated encoder refuses numbers past 2^53 itself. */
function varintField (field: number, value: bigint): Uint8Array {
  const out = [field << 3]
  let v = value
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return new Uint8Array(out)
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

function rejectsAsProtocolError (bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeRaftMessage(bytes), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && pattern.test(err.message))
}

describe('p2p raft transport: wire messages', () => {
  it('round-trips any message deep-equal', () => {
    fc.assert(fc.property(message, (m) => {
      assert.deepStrictEqual(decodeRaftMessage(encodeRaftMessage(m)), m)
    }), { numRuns: 500 })
  })

  it('keeps an empty context apart from an absent one', () => {
    const withEmpty = decodeRaftMessage(encodeRaftMessage({ ...heartbeat, context: new Uint8Array(0) }))
    assert.deepEqual(withEmpty.context, new Uint8Array(0))
    assert.equal('context' in decodeRaftMessage(encodeRaftMessage(heartbeat)), false)
  })

  it('refuses a message without a type, or with a type it does not know', () => {
    rejectsAsProtocolError(RaftMessage.encode({ ...toWire(heartbeat), type: RaftMessageType.MSG_UNSPECIFIED }), /invalid message type/)
    // field 1 (type), varint 99: no such enum value
    rejectsAsProtocolError(new Uint8Array([0x08, 99]), /malformed Raft message/)
  })

  it('refuses an entry without a type', () => {
    const wire = toWire({ ...heartbeat, type: 'MsgApp', entries: [{ term: 1, index: 1, type: 'normal', data: new Uint8Array([1]) }] })
    wire.entries[0]!.type = RaftEntryType.ENTRY_UNSPECIFIED
    rejectsAsProtocolError(RaftMessage.encode(wire), /invalid entry type/)
  })

  it('refuses numbers past 2^53 instead of rounding them', () => {
    const valid = RaftMessage.encode(toWire(heartbeat))
    assert.equal(decodeRaftMessage(concat(valid, varintField(4, 2n ** 53n - 1n))).term, 2 ** 53 - 1)
    // field 4 is the term; a later occurrence of a field overrides the earlier one
    rejectsAsProtocolError(concat(valid, varintField(4, 2n ** 53n)), /malformed Raft message/)
    rejectsAsProtocolError(concat(valid, varintField(6, 2n ** 60n)), /malformed Raft message/)
  })
})
