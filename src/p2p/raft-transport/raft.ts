/* eslint-disable */
// Generated from raft.proto by src/p2p/generate-protos.sh; do not edit.
import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RaftMessage {
  type: RaftMessageType
  from: string
  to: string
  term: number
  logTerm: number
  index: number
  entries: RaftEntry[]
  commit: number
  reject: boolean
  rejectHint: number
  snapshot?: RaftSnapshot
  context?: Uint8Array<ArrayBuffer>
}

export namespace RaftMessage {
  let _codec: Codec<RaftMessage, Partial<RaftMessage>>

  export const codec = (): Codec<RaftMessage, Partial<RaftMessage>> => {
    if (_codec == null) {
      _codec = message<RaftMessage, Partial<RaftMessage>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __RaftMessageTypeValues[obj.type] !== 0) {
          w.uint32(8)
          RaftMessageType.codec().encode(obj.type, w)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(18)
          w.string(obj.from)
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(26)
          w.string(obj.to)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.term)
        }

        if ((obj.logTerm != null && obj.logTerm !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.logTerm)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.index)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(58)
            RaftEntry.codec().encode(value, w)
          }
        }

        if ((obj.commit != null && obj.commit !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.commit)
        }

        if ((obj.reject != null && obj.reject !== false)) {
          w.uint32(72)
          w.bool(obj.reject)
        }

        if ((obj.rejectHint != null && obj.rejectHint !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.rejectHint)
        }

        if (obj.snapshot != null) {
          w.uint32(90)
          RaftSnapshot.codec().encode(obj.snapshot, w)
        }

        if (obj.context != null) {
          w.uint32(98)
          w.bytes(obj.context)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: RaftMessageType.MSG_UNSPECIFIED,
          from: '',
          to: '',
          term: 0,
          logTerm: 0,
          index: 0,
          entries: [],
          commit: 0,
          reject: false,
          rejectHint: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = RaftMessageType.codec().decode(reader)
              break
            }
            case 2: {
              obj.from = reader.string()
              break
            }
            case 3: {
              obj.to = reader.string()
              break
            }
            case 4: {
              obj.term = reader.uint64Number()
              break
            }
            case 5: {
              obj.logTerm = reader.uint64Number()
              break
            }
            case 6: {
              obj.index = reader.uint64Number()
              break
            }
            case 7: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(RaftEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 8: {
              obj.commit = reader.uint64Number()
              break
            }
            case 9: {
              obj.reject = reader.bool()
              break
            }
            case 10: {
              obj.rejectHint = reader.uint64Number()
              break
            }
            case 11: {
              obj.snapshot = RaftSnapshot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.snapshot
              })
              break
            }
            case 12: {
              obj.context = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: RaftMessageType.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.to`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.logTerm`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of RaftEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.commit`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.reject`,
                value: reader.bool()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.rejectHint`,
                value: reader.uint64Number()
              }
              break
            }
            case 11: {
              yield * RaftSnapshot.codec().stream(reader, reader.uint32(), `${prefix}.snapshot`, {
                limits: opts.limits?.snapshot
              })

              break
            }
            case 12: {
              yield {
                field: `${prefix}.context`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftMessageTypeFieldEvent {
    field: '$.type'
    value: RaftMessageType
  }

  export interface RaftMessageFromFieldEvent {
    field: '$.from'
    value: string
  }

  export interface RaftMessageToFieldEvent {
    field: '$.to'
    value: string
  }

  export interface RaftMessageTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface RaftMessageLogTermFieldEvent {
    field: '$.logTerm'
    value: number
  }

  export interface RaftMessageIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface RaftMessageEntriesTermFieldEvent {
    field: '$.entries[].term'
    value: number
    index: number
  }

  export interface RaftMessageEntriesIndexFieldEvent {
    field: '$.entries[].index'
    value: number
    index: number
  }

  export interface RaftMessageEntriesTypeFieldEvent {
    field: '$.entries[].type'
    value: RaftEntryType
    index: number
  }

  export interface RaftMessageEntriesDataFieldEvent {
    field: '$.entries[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RaftMessageCommitFieldEvent {
    field: '$.commit'
    value: number
  }

  export interface RaftMessageRejectFieldEvent {
    field: '$.reject'
    value: boolean
  }

  export interface RaftMessageRejectHintFieldEvent {
    field: '$.rejectHint'
    value: number
  }

  export interface RaftMessageSnapshotIndexFieldEvent {
    field: '$.snapshot.index'
    value: number
  }

  export interface RaftMessageSnapshotTermFieldEvent {
    field: '$.snapshot.term'
    value: number
  }

  export interface RaftMessageSnapshotVotersFieldEvent {
    field: '$.snapshot.voters[]'
    index: number
    value: string
  }

  export interface RaftMessageSnapshotLearnersFieldEvent {
    field: '$.snapshot.learners[]'
    index: number
    value: string
  }

  export interface RaftMessageSnapshotDataFieldEvent {
    field: '$.snapshot.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RaftMessageContextFieldEvent {
    field: '$.context'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RaftMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftMessage>): RaftMessage {
    return decodeMessage(buf, RaftMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftMessage>): Generator<RaftMessageTypeFieldEvent | RaftMessageFromFieldEvent | RaftMessageToFieldEvent | RaftMessageTermFieldEvent | RaftMessageLogTermFieldEvent | RaftMessageIndexFieldEvent | RaftMessageEntriesTermFieldEvent | RaftMessageEntriesIndexFieldEvent | RaftMessageEntriesTypeFieldEvent | RaftMessageEntriesDataFieldEvent | RaftMessageCommitFieldEvent | RaftMessageRejectFieldEvent | RaftMessageRejectHintFieldEvent | RaftMessageSnapshotIndexFieldEvent | RaftMessageSnapshotTermFieldEvent | RaftMessageSnapshotVotersFieldEvent | RaftMessageSnapshotLearnersFieldEvent | RaftMessageSnapshotDataFieldEvent | RaftMessageContextFieldEvent> {
    return streamMessage(buf, RaftMessage.codec(), opts)
  }
}

export enum RaftMessageType {
  MSG_UNSPECIFIED = 'MSG_UNSPECIFIED',
  MSG_HUP = 'MSG_HUP',
  MSG_BEAT = 'MSG_BEAT',
  MSG_PROP = 'MSG_PROP',
  MSG_APP = 'MSG_APP',
  MSG_APP_RESP = 'MSG_APP_RESP',
  MSG_VOTE = 'MSG_VOTE',
  MSG_VOTE_RESP = 'MSG_VOTE_RESP',
  MSG_PRE_VOTE = 'MSG_PRE_VOTE',
  MSG_PRE_VOTE_RESP = 'MSG_PRE_VOTE_RESP',
  MSG_SNAP = 'MSG_SNAP',
  MSG_SNAP_STATUS = 'MSG_SNAP_STATUS',
  MSG_UNREACHABLE = 'MSG_UNREACHABLE',
  MSG_HEARTBEAT = 'MSG_HEARTBEAT',
  MSG_HEARTBEAT_RESP = 'MSG_HEARTBEAT_RESP',
  MSG_CHECK_QUORUM = 'MSG_CHECK_QUORUM',
  MSG_TRANSFER_LEADER = 'MSG_TRANSFER_LEADER',
  MSG_TIMEOUT_NOW = 'MSG_TIMEOUT_NOW',
  MSG_READ_INDEX = 'MSG_READ_INDEX',
  MSG_READ_INDEX_RESP = 'MSG_READ_INDEX_RESP'
}

enum __RaftMessageTypeValues {
  MSG_UNSPECIFIED = 0,
  MSG_HUP = 1,
  MSG_BEAT = 2,
  MSG_PROP = 3,
  MSG_APP = 4,
  MSG_APP_RESP = 5,
  MSG_VOTE = 6,
  MSG_VOTE_RESP = 7,
  MSG_PRE_VOTE = 8,
  MSG_PRE_VOTE_RESP = 9,
  MSG_SNAP = 10,
  MSG_SNAP_STATUS = 11,
  MSG_UNREACHABLE = 12,
  MSG_HEARTBEAT = 13,
  MSG_HEARTBEAT_RESP = 14,
  MSG_CHECK_QUORUM = 15,
  MSG_TRANSFER_LEADER = 16,
  MSG_TIMEOUT_NOW = 17,
  MSG_READ_INDEX = 18,
  MSG_READ_INDEX_RESP = 19
}

export namespace RaftMessageType {
  export const codec = (): Codec<RaftMessageType, Partial<RaftMessageType>> => {
    return enumeration<RaftMessageType>(__RaftMessageTypeValues)
  }
}

export interface RaftEntry {
  term: number
  index: number
  type: RaftEntryType
  data: Uint8Array<ArrayBuffer>
}

export namespace RaftEntry {
  let _codec: Codec<RaftEntry, Partial<RaftEntry>>

  export const codec = (): Codec<RaftEntry, Partial<RaftEntry>> => {
    if (_codec == null) {
      _codec = message<RaftEntry, Partial<RaftEntry>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.term)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.index)
        }

        if (obj.type != null && __RaftEntryTypeValues[obj.type] !== 0) {
          w.uint32(24)
          RaftEntryType.codec().encode(obj.type, w)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0,
          index: 0,
          type: RaftEntryType.ENTRY_UNSPECIFIED,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64Number()
              break
            }
            case 2: {
              obj.index = reader.uint64Number()
              break
            }
            case 3: {
              obj.type = RaftEntryType.codec().decode(reader)
              break
            }
            case 4: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.type`,
                value: RaftEntryType.codec().decode(reader)
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftEntryTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface RaftEntryIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface RaftEntryTypeFieldEvent {
    field: '$.type'
    value: RaftEntryType
  }

  export interface RaftEntryDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RaftEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftEntry>): RaftEntry {
    return decodeMessage(buf, RaftEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftEntry>): Generator<RaftEntryTermFieldEvent | RaftEntryIndexFieldEvent | RaftEntryTypeFieldEvent | RaftEntryDataFieldEvent> {
    return streamMessage(buf, RaftEntry.codec(), opts)
  }
}

export enum RaftEntryType {
  ENTRY_UNSPECIFIED = 'ENTRY_UNSPECIFIED',
  ENTRY_NORMAL = 'ENTRY_NORMAL',
  ENTRY_CONF_CHANGE = 'ENTRY_CONF_CHANGE'
}

enum __RaftEntryTypeValues {
  ENTRY_UNSPECIFIED = 0,
  ENTRY_NORMAL = 1,
  ENTRY_CONF_CHANGE = 2
}

export namespace RaftEntryType {
  export const codec = (): Codec<RaftEntryType, Partial<RaftEntryType>> => {
    return enumeration<RaftEntryType>(__RaftEntryTypeValues)
  }
}

export interface RaftSnapshot {
  index: number
  term: number
  voters: string[]
  learners: string[]
  data: Uint8Array<ArrayBuffer>
}

export namespace RaftSnapshot {
  let _codec: Codec<RaftSnapshot, Partial<RaftSnapshot>>

  export const codec = (): Codec<RaftSnapshot, Partial<RaftSnapshot>> => {
    if (_codec == null) {
      _codec = message<RaftSnapshot, Partial<RaftSnapshot>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if (obj.voters != null && obj.voters.length > 0) {
          for (const value of obj.voters) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.learners != null && obj.learners.length > 0) {
          for (const value of obj.learners) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0,
          voters: [],
          learners: [],
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - repeated field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 4: {
              if (opts.limits?.learners != null && obj.learners.length === opts.limits.learners) {
                throw new MaxLengthError('Decode error - repeated field "learners" had too many elements')
              }

              obj.learners.push(reader.string())
              break
            }
            case 5: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          voters: 0,
          learners: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              if (opts.limits?.voters != null && obj.voters === opts.limits.voters) {
                throw new MaxLengthError('Streaming decode error - repeated field "voters" had too many elements')
              }

              yield {
                field: `${prefix}.voters[]`,
                index: obj.voters,
                value: reader.string()
              }

              obj.voters++

              break
            }
            case 4: {
              if (opts.limits?.learners != null && obj.learners === opts.limits.learners) {
                throw new MaxLengthError('Streaming decode error - repeated field "learners" had too many elements')
              }

              yield {
                field: `${prefix}.learners[]`,
                index: obj.learners,
                value: reader.string()
              }

              obj.learners++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftSnapshotIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface RaftSnapshotTermFieldEvent {
    field: '$.term'
    value: number
  }

  export interface RaftSnapshotVotersFieldEvent {
    field: '$.voters[]'
    index: number
    value: string
  }

  export interface RaftSnapshotLearnersFieldEvent {
    field: '$.learners[]'
    index: number
    value: string
  }

  export interface RaftSnapshotDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RaftSnapshot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftSnapshot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftSnapshot>): RaftSnapshot {
    return decodeMessage(buf, RaftSnapshot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftSnapshot>): Generator<RaftSnapshotIndexFieldEvent | RaftSnapshotTermFieldEvent | RaftSnapshotVotersFieldEvent | RaftSnapshotLearnersFieldEvent | RaftSnapshotDataFieldEvent> {
    return streamMessage(buf, RaftSnapshot.codec(), opts)
  }
}
