/* eslint-disable */
// Generated from have.proto by src/p2p/generate-protos.sh; do not edit.
import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HaveRequest {
  cids: Uint8Array<ArrayBuffer>[]
}

export namespace HaveRequest {
  let _codec: Codec<HaveRequest, Partial<HaveRequest>>

  export const codec = (): Codec<HaveRequest, Partial<HaveRequest>> => {
    if (_codec == null) {
      _codec = message<HaveRequest, Partial<HaveRequest>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.cids != null && obj.cids.length > 0) {
          for (const value of obj.cids) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.cids != null && obj.cids.length === opts.limits.cids) {
                throw new MaxLengthError('Decode error - repeated field "cids" had too many elements')
              }

              obj.cids.push(reader.bytes())
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

  export interface HaveRequestCidsFieldEvent {
    field: '$.cids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HaveRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveRequest>): HaveRequest {
    return decodeMessage(buf, HaveRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveRequest>): Generator<HaveRequestCidsFieldEvent> {
    return streamMessage(buf, HaveRequest.codec(), opts)
  }
}

export interface HaveResponse {
  bitmap: Uint8Array<ArrayBuffer>
  count: number
  errorCode: string
  errorMessage: string
}

export namespace HaveResponse {
  let _codec: Codec<HaveResponse, Partial<HaveResponse>>

  export const codec = (): Codec<HaveResponse, Partial<HaveResponse>> => {
    if (_codec == null) {
      _codec = message<HaveResponse, Partial<HaveResponse>>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.bitmap != null && obj.bitmap.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.bitmap)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint32(obj.count)
        }

        if ((obj.errorCode != null && obj.errorCode !== '')) {
          w.uint32(26)
          w.string(obj.errorCode)
        }

        if ((obj.errorMessage != null && obj.errorMessage !== '')) {
          w.uint32(34)
          w.string(obj.errorMessage)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          bitmap: uint8ArrayAlloc(0),
          count: 0,
          errorCode: '',
          errorMessage: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.bitmap = reader.bytes()
              break
            }
            case 2: {
              obj.count = reader.uint32()
              break
            }
            case 3: {
              obj.errorCode = reader.string()
              break
            }
            case 4: {
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
                field: `${prefix}.bitmap`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.errorCode`,
                value: reader.string()
              }
              break
            }
            case 4: {
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

  export interface HaveResponseBitmapFieldEvent {
    field: '$.bitmap'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HaveResponseCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface HaveResponseErrorCodeFieldEvent {
    field: '$.errorCode'
    value: string
  }

  export interface HaveResponseErrorMessageFieldEvent {
    field: '$.errorMessage'
    value: string
  }

  export function encode (obj: Partial<HaveResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HaveResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveResponse>): HaveResponse {
    return decodeMessage(buf, HaveResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HaveResponse>): Generator<HaveResponseBitmapFieldEvent | HaveResponseCountFieldEvent | HaveResponseErrorCodeFieldEvent | HaveResponseErrorMessageFieldEvent> {
    return streamMessage(buf, HaveResponse.codec(), opts)
  }
}
