// Conversions between the Raft Message of src/raft/types.ts and its protobuf form, and the
// codec both ends of /jadfs/raft/1.0.0 use. Decoding checks everything protobuf cannot:
// numbers are safe non-negative integers, enum values are known, node ids are bounded.
// A failed check throws PROTOCOL_ERROR; the receiver then resets the stream.
import type { Uint8ArrayList } from 'uint8arraylist'
import { JadfsError } from '../../errors.js'
import { ENTRY_OVERHEAD_BYTES } from '../../raft/storage.js'
import type { Entry, EntryType, Message, MessageType, Snapshot } from '../../raft/types.js'
import type { MessageCodec } from '../protocols/protocol-spec.js'
import { MAX_CONF_MEMBERS, MAX_NODE_ID_CHARS } from './constants.js'
import { RaftEntryType, RaftMessage, RaftMessageType } from './raft.js'
import type { RaftEntry, RaftSnapshot } from './raft.js'

const MESSAGE_TYPES: Readonly<Record<MessageType, RaftMessageType>> = {
  MsgHup: RaftMessageType.MSG_HUP,
  MsgBeat: RaftMessageType.MSG_BEAT,
  MsgProp: RaftMessageType.MSG_PROP,
  MsgApp: RaftMessageType.MSG_APP,
  MsgAppResp: RaftMessageType.MSG_APP_RESP,
  MsgVote: RaftMessageType.MSG_VOTE,
  MsgVoteResp: RaftMessageType.MSG_VOTE_RESP,
  MsgPreVote: RaftMessageType.MSG_PRE_VOTE,
  MsgPreVoteResp: RaftMessageType.MSG_PRE_VOTE_RESP,
  MsgSnap: RaftMessageType.MSG_SNAP,
  MsgSnapStatus: RaftMessageType.MSG_SNAP_STATUS,
  MsgUnreachable: RaftMessageType.MSG_UNREACHABLE,
  MsgHeartbeat: RaftMessageType.MSG_HEARTBEAT,
  MsgHeartbeatResp: RaftMessageType.MSG_HEARTBEAT_RESP,
  MsgCheckQuorum: RaftMessageType.MSG_CHECK_QUORUM,
  MsgTransferLeader: RaftMessageType.MSG_TRANSFER_LEADER,
  MsgTimeoutNow: RaftMessageType.MSG_TIMEOUT_NOW,
  MsgReadIndex: RaftMessageType.MSG_READ_INDEX,
  MsgReadIndexResp: RaftMessageType.MSG_READ_INDEX_RESP
}
const MESSAGE_TYPES_BACK = new Map<RaftMessageType, MessageType>(
  Object.entries(MESSAGE_TYPES).map(([k, v]) => [v, k as MessageType])
)

const ENTRY_TYPES: Readonly<Record<EntryType, RaftEntryType>> = {
  normal: RaftEntryType.ENTRY_NORMAL,
  confChange: RaftEntryType.ENTRY_CONF_CHANGE
}
const ENTRY_TYPES_BACK = new Map<RaftEntryType, EntryType>(
  Object.entries(ENTRY_TYPES).map(([k, v]) => [v, k as EntryType])
)

/** Message types a core produces for itself only; one arriving from a peer is malformed. */
const LOCAL_TYPES: ReadonlySet<MessageType> = new Set(['MsgHup', 'MsgBeat', 'MsgCheckQuorum', 'MsgUnreachable', 'MsgSnapStatus'])

export function isLocalMessageType (type: MessageType): boolean {
  return LOCAL_TYPES.has(type)
}

export function toWire (m: Message): RaftMessage {
  const wire: RaftMessage = {
    type: MESSAGE_TYPES[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map((e) => ({ term: e.term, index: e.index, type: ENTRY_TYPES[e.type], data: e.data as Uint8Array<ArrayBuffer> })),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint
  }
  if (m.snapshot !== undefined) {
    const { metadata, data } = m.snapshot
    wire.snapshot = {
      index: metadata.index,
      term: metadata.term,
      voters: [...metadata.confState.voters],
      learners: [...metadata.confState.learners],
      data: data as Uint8Array<ArrayBuffer>
    }
  }
  if (m.context !== undefined) wire.context = m.context as Uint8Array<ArrayBuffer>
  return wire
}

export function fromWire (wire: RaftMessage): Message {
  const type = MESSAGE_TYPES_BACK.get(wire.type)
  if (type === undefined) throw malformed(`message type ${wire.type}`)
  const message: {
    -readonly [K in keyof Message]: Message[K]
  } = {
    type,
    from: nodeId(wire.from, 'from'),
    to: nodeId(wire.to, 'to'),
    term: count(wire.term, 'term'),
    logTerm: count(wire.logTerm, 'logTerm'),
    index: count(wire.index, 'index'),
    entries: wire.entries.map(entryFromWire),
    commit: count(wire.commit, 'commit'),
    reject: wire.reject,
    rejectHint: count(wire.rejectHint, 'rejectHint')
  }
  if (wire.snapshot !== undefined) message.snapshot = snapshotFromWire(wire.snapshot)
  if (wire.context !== undefined) message.context = wire.context
  return message
}

function entryFromWire (e: RaftEntry): Entry {
  const type = ENTRY_TYPES_BACK.get(e.type)
  if (type === undefined) throw malformed(`entry type ${e.type}`)
  return { term: count(e.term, 'entry term'), index: count(e.index, 'entry index'), type, data: e.data }
}

function snapshotFromWire (s: RaftSnapshot): Snapshot {
  return {
    metadata: {
      index: count(s.index, 'snapshot index'),
      term: count(s.term, 'snapshot term'),
      confState: {
        voters: s.voters.map((id) => nodeId(id, 'voter')),
        learners: s.learners.map((id) => nodeId(id, 'learner'))
      }
    },
    data: s.data
  }
}

/** a varint of a safe integer (< 2^53): 7 bits a byte */
const MAX_SAFE_VARINT_BYTES = 8
/** UTF-8 of a node id within MAX_NODE_ID_CHARS UTF-16 units: at most 3 bytes a unit */
const MAX_NODE_ID_BYTES = 3 * MAX_NODE_ID_CHARS

/**
 * The largest encoding of a message without entries, snapshot or context, which is a MsgApp
 * around its entries: each field's one-byte tag, the type, `from` and `to` (length varint of
 * 2 bytes and the id), term, logTerm, index, commit and rejectHint as safe integers, reject.
 */
export const MAX_APPEND_HEADER_BYTES =
  (1 + 1) +
  2 * (1 + 2 + MAX_NODE_ID_BYTES) +
  5 * (1 + MAX_SAFE_VARINT_BYTES) +
  (1 + 1)

/**
 * The largest MsgApp a core can build with these limits (RaftCoreConfig): its entries take at
 * most maxSizePerMsgBytes (each counted with ENTRY_OVERHEAD_BYTES), unless the first one alone
 * is larger, and that one is at most maxEntryBytes of data. Whoever configures the core and the
 * transport checks this against maxMessageBytes: a larger MsgApp would never be sent.
 */
export function largestAppendBytes (limits: { readonly maxSizePerMsgBytes: number, readonly maxEntryBytes: number }): number {
  return MAX_APPEND_HEADER_BYTES + Math.max(limits.maxSizePerMsgBytes, limits.maxEntryBytes + ENTRY_OVERHEAD_BYTES)
}

export function encodeRaftMessage (m: Message): Uint8Array {
  return RaftMessage.encode(toWire(m))
}

export function decodeRaftMessage (bytes: Uint8Array | Uint8ArrayList): Message {
  let wire: RaftMessage
  try {
    wire = RaftMessage.decode(bytes, { limits: { snapshot: { voters: MAX_CONF_MEMBERS, learners: MAX_CONF_MEMBERS } } })
  } catch (err) {
    throw new JadfsError('PROTOCOL_ERROR', `malformed Raft message: ${(err as Error).message}`, { cause: err })
  }
  return fromWire(wire)
}

export const raftMessageCodec: MessageCodec<Message> = { encode: encodeRaftMessage, decode: decodeRaftMessage }

// Indexes and terms are plain numbers in the core; a uint64 past 2^53 would lose precision.
function count (n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw malformed(`${what} ${n}`)
  return n
}

function nodeId (id: string, what: string): string {
  if (id.length > MAX_NODE_ID_CHARS) throw malformed(`${what} node id of ${id.length} characters`)
  return id
}

function malformed (what: string): JadfsError {
  return new JadfsError('PROTOCOL_ERROR', `malformed Raft message: invalid ${what}`)
}
