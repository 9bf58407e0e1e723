// One request, one response, on a fresh stream. A single deadline covers the whole exchange
// (dial, negotiate, send, answer), so a peer that accepts the stream and never answers fails
// with TIMEOUT instead of holding the caller.
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { JadfsError } from '../../errors.js'
import type { ProtocolHost } from '../host.js'
import { startDeadline } from './deadline.js'
import { fromWireError } from './remote-error.js'
import { FramedStream } from './framed-stream.js'
import type { ProtocolSpec } from './protocol-spec.js'
import { toJadfsError } from './stream-errors.js'

export interface RequestOptions {
  readonly signal?: AbortSignal
  /** Overrides the protocol's default deadline for this exchange. */
  readonly timeoutMs?: number
  /** Lowers (never raises) the protocol's response size limit. */
  readonly maxResponseBytes?: number
}

export type RequestHost = Pick<ProtocolHost, 'dialProtocol' | 'signal'>

export async function request<Req, Res> (host: RequestHost, peer: PeerId | Multiaddr, spec: ProtocolSpec<Req, Res>, message: Req, options: RequestOptions = {}): Promise<Res> {
  const context = `${spec.id} to ${peer.toString()}`
  const timeoutMs = options.timeoutMs ?? spec.timeoutMs
  const maxReadBytes = Math.min(options.maxResponseBytes ?? spec.maxResponseBytes, spec.maxResponseBytes)
  // Checked before dialling: an over-size request is our bug or our input, not the peer's.
  const payload = spec.request.encode(message)
  if (payload.byteLength > spec.maxRequestBytes) {
    throw new JadfsError('MESSAGE_TOO_LARGE', `${context}: request of ${payload.byteLength} bytes is over the limit of ${spec.maxRequestBytes} bytes`)
  }
  const deadline = startDeadline(timeoutMs, context, [host.signal, options.signal])
  const { signal } = deadline
  try {
    let framed: FramedStream
    try {
      const stream = await host.dialProtocol(peer, spec.id, { signal, maxOutboundStreams: spec.maxOutboundStreams })
      framed = new FramedStream(stream, { maxReadBytes, maxWriteBytes: spec.maxRequestBytes }, context)
    } catch (err) {
      // A dial aborted by our deadline reports the deadline, not libp2p's AbortError.
      throw signal.aborted ? toJadfsError(signal.reason, 'open', context) : toJadfsError(err, 'open', context)
    }
    await framed.writeEncoded(payload, signal)
    await framed.closeWrite(signal)
    const response = await framed.read(spec.response, signal)
    // The responder closes its end after answering; anything more is a protocol violation,
    // and one that keeps its end open has the stream reset, its answer still taken, even when
    // our deadline passes meanwhile.
    const extra = await framed.readEndWithin(spec.response, { failOn: [host.signal, options.signal], deadline: signal })
    if (extra !== undefined) {
      // the peer's end is still open: reset it, or it would hold one of our outbound streams
      const err = toJadfsError(new Error('the peer sent more than one response'), 'exchange', context)
      framed.abort(err)
      throw err
    }
    const remoteError = spec.errors?.decode(response)
    if (remoteError !== undefined) throw fromWireError(remoteError, context)
    return response
  } finally {
    deadline.clear()
  }
}
