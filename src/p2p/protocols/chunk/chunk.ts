/* eslint-disable */
// Generated from chunk.proto by src/p2p/generate-protos.sh; do not edit.
import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface FetchRequest {
  cid: Uint8Array<ArrayBuffer>
  offset: number
  length: number
  maxFrameSize: number
}

export namespace FetchRequest {
  let _codec: Codec<FetchRequest, Partial<FetchRequest>>

  export const codec = (): Codec<FetchRequest, Partial<FetchRequest>> => {
    if (_codec == null) {
      _codec = message<FetchRequest, Partial<FetchRequest>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(16)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if ((obj.maxFrameSize != null && obj.maxFrameSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxFrameSize)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          offset: 0,
          length: 0,
          maxFrameSize: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            case 2: {
              obj.offset = reader.uint32()
              break
            }
            case 3: {
              obj.length = reader.uint32()
              break
            }
            case 4: {
              obj.maxFrameSize = reader.uint32()
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
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxFrameSize`,
                value: reader.uint32()
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

  export interface FetchRequestCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface FetchRequestLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface FetchRequestMaxFrameSizeFieldEvent {
    field: '$.maxFrameSize'
    value: number
  }

  export function encode (obj: Partial<FetchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): Generator<FetchRequestCidFieldEvent | FetchRequestOffsetFieldEvent | FetchRequestLengthFieldEvent | FetchRequestMaxFrameSizeFieldEvent> {
    return streamMessage(buf, FetchRequest.codec(), opts)
  }
}

export interface FetchResponse {
  totalSize: number
  offset: number
  length: number
  errorCode: string
  errorMessage: string
}

export namespace FetchResponse {
  let _codec: Codec<FetchResponse, Partial<FetchResponse>>

  export const codec = (): Codec<FetchResponse, Partial<FetchResponse>> => {
    if (_codec == null) {
      _codec = message<FetchResponse, Partial<FetchResponse>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.totalSize != null && obj.totalSize !== 0)) {
          w.uint32(8)
          w.uint32(obj.totalSize)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(16)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if ((obj.errorCode != null && obj.errorCode !== '')) {
          w.uint32(34)
          w.string(obj.errorCode)
        }

        if ((obj.errorMessage != null && obj.errorMessage !== '')) {
          w.uint32(42)
          w.string(obj.errorMessage)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          totalSize: 0,
          offset: 0,
          length: 0,
          errorCode: '',
          errorMessage: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.totalSize = reader.uint32()
              break
            }
            case 2: {
              obj.offset = reader.uint32()
              break
            }
            case 3: {
              obj.length = reader.uint32()
              break
            }
            case 4: {
              obj.errorCode = reader.string()
              break
            }
            case 5: {
              obj.errorMessage = reader.string()
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
                field: `${prefix}.totalSize`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.errorCode`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.errorMessage`,
                value: reader.string()
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

  export interface FetchResponseTotalSizeFieldEvent {
    field: '$.totalSize'
    value: number
  }

  export interface FetchResponseOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface FetchResponseLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface FetchResponseErrorCodeFieldEvent {
    field: '$.errorCode'
    value: string
  }

  export interface FetchResponseErrorMessageFieldEvent {
    field: '$.errorMessage'
    value: string
  }

  export function encode (obj: Partial<FetchResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FetchResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): FetchResponse {
    return decodeMessage(buf, FetchResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchResponse>): Generator<FetchResponseTotalSizeFieldEvent | FetchResponseOffsetFieldEvent | FetchResponseLengthFieldEvent | FetchResponseErrorCodeFieldEvent | FetchResponseErrorMessageFieldEvent> {
    return streamMessage(buf, FetchResponse.codec(), opts)
  }
}

export interface PushRequest {
  cid: Uint8Array<ArrayBuffer>
  size: number
}

export namespace PushRequest {
  let _codec: Codec<PushRequest, Partial<PushRequest>>

  export const codec = (): Codec<PushRequest, Partial<PushRequest>> => {
    if (_codec == null) {
      _codec = message<PushRequest, Partial<PushRequest>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint32(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            case 2: {
              obj.size = reader.uint32()
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
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint32()
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

  export interface PushRequestCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PushRequestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<PushRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PushRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushRequest>): PushRequest {
    return decodeMessage(buf, PushRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushRequest>): Generator<PushRequestCidFieldEvent | PushRequestSizeFieldEvent> {
    return streamMessage(buf, PushRequest.codec(), opts)
  }
}

export enum PushStatus {
  PUSH_STATUS_UNSPECIFIED = 'PUSH_STATUS_UNSPECIFIED',
  READY = 'READY',
  STORED = 'STORED',
  ALREADY_HAD = 'ALREADY_HAD',
  REFUSED = 'REFUSED'
}

enum __PushStatusValues {
  PUSH_STATUS_UNSPECIFIED = 0,
  READY = 1,
  STORED = 2,
  ALREADY_HAD = 3,
  REFUSED = 4
}

export namespace PushStatus {
  export const codec = (): Codec<PushStatus, Partial<PushStatus>> => {
    return enumeration<PushStatus>(__PushStatusValues)
  }
}

export interface PushResponse {
  status: PushStatus
  errorCode: string
  errorMessage: string
  maxFrameSize: number
}

export namespace PushResponse {
  let _codec: Codec<PushResponse, Partial<PushResponse>>

  export const codec = (): Codec<PushResponse, Partial<PushResponse>> => {
    if (_codec == null) {
      _codec = message<PushResponse, Partial<PushResponse>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __PushStatusValues[obj.status] !== 0) {
          w.uint32(8)
          PushStatus.codec().encode(obj.status, w)
        }

        if ((obj.errorCode != null && obj.errorCode !== '')) {
          w.uint32(18)
          w.string(obj.errorCode)
        }

        if ((obj.errorMessage != null && obj.errorMessage !== '')) {
          w.uint32(26)
          w.string(obj.errorMessage)
        }

        if ((obj.maxFrameSize != null && obj.maxFrameSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxFrameSize)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: PushStatus.PUSH_STATUS_UNSPECIFIED,
          errorCode: '',
          errorMessage: '',
          maxFrameSize: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = PushStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.errorCode = reader.string()
              break
            }
            case 3: {
              obj.errorMessage = reader.string()
              break
            }
            case 4: {
              obj.maxFrameSize = reader.uint32()
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
                field: `${prefix}.status`,
                value: PushStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.errorCode`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.errorMessage`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxFrameSize`,
                value: reader.uint32()
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

  export interface PushResponseStatusFieldEvent {
    field: '$.status'
    value: PushStatus
  }

  export interface PushResponseErrorCodeFieldEvent {
    field: '$.errorCode'
    value: string
  }

  export interface PushResponseErrorMessageFieldEvent {
    field: '$.errorMessage'
    value: string
  }

  export interface PushResponseMaxFrameSizeFieldEvent {
    field: '$.maxFrameSize'
    value: number
  }

  export function encode (obj: Partial<PushResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PushResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushResponse>): PushResponse {
    return decodeMessage(buf, PushResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PushResponse>): Generator<PushResponseStatusFieldEvent | PushResponseErrorCodeFieldEvent | PushResponseErrorMessageFieldEvent | PushResponseMaxFrameSizeFieldEvent> {
    return streamMessage(buf, PushResponse.codec(), opts)
  }
}
