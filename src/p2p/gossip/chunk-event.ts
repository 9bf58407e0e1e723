/* eslint-disable */
// Generated from chunk-event.proto by src/p2p/generate-protos.sh; do not edit.
import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum ChunkEventKind {
  CHUNK_EVENT_KIND_UNKNOWN = 'CHUNK_EVENT_KIND_UNKNOWN',
  CHUNK_EVENT_KIND_STORED = 'CHUNK_EVENT_KIND_STORED',
  CHUNK_EVENT_KIND_DELETED = 'CHUNK_EVENT_KIND_DELETED'
}

enum __ChunkEventKindValues {
  CHUNK_EVENT_KIND_UNKNOWN = 0,
  CHUNK_EVENT_KIND_STORED = 1,
  CHUNK_EVENT_KIND_DELETED = 2
}

export namespace ChunkEventKind {
  export const codec = (): Codec<ChunkEventKind, Partial<ChunkEventKind>> => {
    return enumeration<ChunkEventKind>(__ChunkEventKindValues)
  }
}

export interface ChunkEvent {
  kind: ChunkEventKind
  cids: Uint8Array<ArrayBuffer>[]
  sentAtMs: number
}

export namespace ChunkEvent {
  let _codec: Codec<ChunkEvent, Partial<ChunkEvent>>

  export const codec = (): Codec<ChunkEvent, Partial<ChunkEvent>> => {
    if (_codec == null) {
      _codec = message<ChunkEvent, Partial<ChunkEvent>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __ChunkEventKindValues[obj.kind] !== 0) {
          w.uint32(8)
          ChunkEventKind.codec().encode(obj.kind, w)
        }

        if (obj.cids != null && obj.cids.length > 0) {
          for (const value of obj.cids) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.sentAtMs != null && obj.sentAtMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.sentAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: ChunkEventKind.CHUNK_EVENT_KIND_UNKNOWN,
          cids: [],
          sentAtMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ChunkEventKind.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.cids != null && obj.cids.length === opts.limits.cids) {
                throw new MaxLengthError('Decode error - repeated field "cids" had too many elements')
              }

              obj.cids.push(reader.bytes())
              break
            }
            case 3: {
              obj.sentAtMs = reader.uint64Number()
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
          cids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: ChunkEventKind.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.cids != null && obj.cids === opts.limits.cids) {
                throw new MaxLengthError('Streaming decode error - repeated field "cids" had too many elements')
              }

              yield {
                field: `${prefix}.cids[]`,
                index: obj.cids,
                value: reader.bytes()
              }

              obj.cids++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.sentAtMs`,
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

  export interface ChunkEventKindFieldEvent {
    field: '$.kind'
    value: ChunkEventKind
  }

  export interface ChunkEventCidsFieldEvent {
    field: '$.cids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChunkEventSentAtMsFieldEvent {
    field: '$.sentAtMs'
    value: number
  }

  export function encode (obj: Partial<ChunkEvent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkEvent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkEvent>): ChunkEvent {
    return decodeMessage(buf, ChunkEvent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkEvent>): Generator<ChunkEventKindFieldEvent | ChunkEventCidsFieldEvent | ChunkEventSentAtMsFieldEvent> {
    return streamMessage(buf, ChunkEvent.codec(), opts)
  }
}
