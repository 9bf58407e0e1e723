// What a request/response protocol declares once: its id, message codecs, and the limits
// both sides enforce. Every protocol of ours states its message sizes, stream limits and
// timeout here, so no limit is left to a library default.
import type { Uint8ArrayList } from 'uint8arraylist'
import { assert } from '../../util/assert.js'
import type { WireError } from './remote-error.js'

/** A protons-generated message namespace fits this shape (decode may apply field limits). */
export interface MessageCodec<T> {
  encode: (message: T) => Uint8Array
  decode: (bytes: Uint8Array | Uint8ArrayList) => T
}

export interface ProtocolSpec<Req, Res> {
  /** The libp2p protocol id, e.g. '/jadfs/have/1.0.0'. */
  readonly id: string
  readonly request: MessageCodec<Req>
  readonly response: MessageCodec<Res>
  /** Largest encoded request the responder accepts. */
  readonly maxRequestBytes: number
  /** Largest encoded response the requester accepts (request() may lower it). */
  readonly maxResponseBytes: number
  /** Default deadline for one exchange: dial, send, answer. */
  readonly timeoutMs: number
  /** Concurrent inbound streams per connection; libp2p resets the ones above it. */
  readonly maxInboundStreams: number
  /** Concurrent outbound streams per connection; opening one more fails with PEER_BUSY. */
  readonly maxOutboundStreams: number
  /**
   * How the protocol carries an operating error in its response. Without it, a responder
   * that throws resets the stream and the requester sees PROTOCOL_ERROR.
   */
  readonly errors?: ResponseErrors<Res>
}

export interface ResponseErrors<Res> {
  /** Builds the response that reports `error`. */
  readonly encode: (error: WireError) => Res
  /** The error a response reports, if it reports one. */
  readonly decode: (response: Res) => WireError | undefined
}

export function defineProtocol<Req, Res> (spec: ProtocolSpec<Req, Res>): ProtocolSpec<Req, Res> {
  assert(spec.id.startsWith('/jadfs/'), 'our protocol ids live under /jadfs/', { id: spec.id })
  for (const key of ['maxRequestBytes', 'maxResponseBytes', 'timeoutMs', 'maxInboundStreams', 'maxOutboundStreams'] as const) {
    assert(Number.isSafeInteger(spec[key]) && spec[key] > 0, `protocol ${spec.id}: ${key} must be a positive integer`, { value: spec[key] })
  }
  return Object.freeze({ ...spec })
}
