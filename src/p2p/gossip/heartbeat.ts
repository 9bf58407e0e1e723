/* eslint-disable */
// Generated from heartbeat.proto by src/p2p/generate-protos.sh; do not edit.
import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum RaftRole {
  RAFT_ROLE_UNKNOWN = 'RAFT_ROLE_UNKNOWN',
  RAFT_ROLE_FOLLOWER = 'RAFT_ROLE_FOLLOWER',
  RAFT_ROLE_CANDIDATE = 'RAFT_ROLE_CANDIDATE',
  RAFT_ROLE_LEADER = 'RAFT_ROLE_LEADER',
  RAFT_ROLE_LEARNER = 'RAFT_ROLE_LEARNER'
}

enum __RaftRoleValues {
  RAFT_ROLE_UNKNOWN = 0,
  RAFT_ROLE_FOLLOWER = 1,
  RAFT_ROLE_CANDIDATE = 2,
  RAFT_ROLE_LEADER = 3,
  RAFT_ROLE_LEARNER = 4
}

export namespace RaftRole {
  export const codec = (): Codec<RaftRole, Partial<RaftRole>> => {
    return enumeration<RaftRole>(__RaftRoleValues)
  }
}

export interface Heartbeat {
  peerId: Uint8Array<ArrayBuffer>
  freeBytes: number
  usedBytes: number
  chunkCount: number
  raftRole: RaftRole
  raftTerm: number
  version: string
  apiAddress: string
  sequence: number
  sentAtMs: number
  startedAtMs: number
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat, Partial<Heartbeat>>

  export const codec = (): Codec<Heartbeat, Partial<Heartbeat>> => {
    if (_codec == null) {
      _codec = message<Heartbeat, Partial<Heartbeat>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if ((obj.freeBytes != null && obj.freeBytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.freeBytes)
        }

        if ((obj.usedBytes != null && obj.usedBytes !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.usedBytes)
        }

        if ((obj.chunkCount != null && obj.chunkCount !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.chunkCount)
        }

        if (obj.raftRole != null && __RaftRoleValues[obj.raftRole] !== 0) {
          w.uint32(40)
          RaftRole.codec().encode(obj.raftRole, w)
        }

        if ((obj.raftTerm != null && obj.raftTerm !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.raftTerm)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(58)
          w.string(obj.version)
        }

        if ((obj.apiAddress != null && obj.apiAddress !== '')) {
          w.uint32(66)
          w.string(obj.apiAddress)
        }

        if ((obj.sequence != null && obj.sequence !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.sequence)
        }

        if ((obj.sentAtMs != null && obj.sentAtMs !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.sentAtMs)
        }

        if ((obj.startedAtMs != null && obj.startedAtMs !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.startedAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          freeBytes: 0,
          usedBytes: 0,
          chunkCount: 0,
          raftRole: RaftRole.RAFT_ROLE_UNKNOWN,
          raftTerm: 0,
          version: '',
          apiAddress: '',
          sequence: 0,
          sentAtMs: 0,
          startedAtMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              obj.freeBytes = reader.uint64Number()
              break
            }
            case 3: {
              obj.usedBytes = reader.uint64Number()
              break
            }
            case 4: {
              obj.chunkCount = reader.uint64Number()
              break
            }
            case 5: {
              obj.raftRole = RaftRole.codec().decode(reader)
              break
            }
            case 6: {
              obj.raftTerm = reader.uint64Number()
              break
            }
            case 7: {
              obj.version = reader.string()
              break
            }
            case 8: {
              obj.apiAddress = reader.string()
              break
            }
            case 9: {
              obj.sequence = reader.uint64Number()
              break
            }
            case 10: {
              obj.sentAtMs = reader.uint64Number()
              break
            }
            case 11: {
              obj.startedAtMs = reader.uint64Number()
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
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.freeBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.usedBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.chunkCount`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.raftRole`,
                value: RaftRole.codec().decode(reader)
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.raftTerm`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.apiAddress`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.sequence`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.sentAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.startedAtMs`,
                value: reader.uint64Number()
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

  export interface HeartbeatPeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HeartbeatFreeBytesFieldEvent {
    field: '$.freeBytes'
    value: number
  }

  export interface HeartbeatUsedBytesFieldEvent {
    field: '$.usedBytes'
    value: number
  }

  export interface HeartbeatChunkCountFieldEvent {
    field: '$.chunkCount'
    value: number
  }

  export interface HeartbeatRaftRoleFieldEvent {
    field: '$.raftRole'
    value: RaftRole
  }

  export interface HeartbeatRaftTermFieldEvent {
    field: '$.raftTerm'
    value: number
  }

  export interface HeartbeatVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface HeartbeatApiAddressFieldEvent {
    field: '$.apiAddress'
    value: string
  }

  export interface HeartbeatSequenceFieldEvent {
    field: '$.sequence'
    value: number
  }

  export interface HeartbeatSentAtMsFieldEvent {
    field: '$.sentAtMs'
    value: number
  }

  export interface HeartbeatStartedAtMsFieldEvent {
    field: '$.startedAtMs'
    value: number
  }

  export function encode (obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Generator<HeartbeatPeerIdFieldEvent | HeartbeatFreeBytesFieldEvent | HeartbeatUsedBytesFieldEvent | HeartbeatChunkCountFieldEvent | HeartbeatRaftRoleFieldEvent | HeartbeatRaftTermFieldEvent | HeartbeatVersionFieldEvent | HeartbeatApiAddressFieldEvent | HeartbeatSequenceFieldEvent | HeartbeatSentAtMsFieldEvent | HeartbeatStartedAtMsFieldEvent> {
    return streamMessage(buf, Heartbeat.codec(), opts)
  }
}
