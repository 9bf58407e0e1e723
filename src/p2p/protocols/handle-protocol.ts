// Serving a request/response protocol: registers the handler with the protocol's stream
// limits, and bounds each exchange by the protocol's timeout and the host's stop signal.
// A failing exchange resets its stream and is logged; it never throws into libp2p. A
// responder's operating error is sent back as an error response if the protocol has one.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { JadfsError } from '../../errors.js'
import type { ProtocolHost } from '../host.js'
import { startDeadline } from './deadline.js'
import { raceSignal } from '../../util/race-signal.js'
import { FramedStream } from './framed-stream.js'
import type { ProtocolSpec } from './protocol-spec.js'
import { toWireError } from './remote-error.js'
import { toJadfsError } from './stream-errors.js'

export interface RequestContext {
  readonly peer: PeerId
  /** Aborted when the exchange times out or the host stops. */
  readonly signal: AbortSignal
}

export type Responder<Req, Res> = (request: Req, context: RequestContext) => Res | Promise<Res>

export type HandlerHost = Pick<ProtocolHost, 'handle' | 'signal' | 'logger'>

export async function handleProtocol<Req, Res> (host: HandlerHost, spec: ProtocolSpec<Req, Res>, respond: Responder<Req, Res>): Promise<void> {
  await host.handle(spec.id, (stream, connection) => {
    void serveExchange(host, spec, respond, stream, connection)
  }, {
    maxInboundStreams: spec.maxInboundStreams,
    maxOutboundStreams: spec.maxOutboundStreams
  })
}

async function serveExchange<Req, Res> (host: HandlerHost, spec: ProtocolSpec<Req, Res>, respond: Responder<Req, Res>, stream: Stream, connection: Connection): Promise<void> {
  const peer = connection.remotePeer
  const context = `${spec.id} from ${peer.toString()}`
  const framed = new FramedStream(stream, { maxReadBytes: spec.maxRequestBytes, maxWriteBytes: spec.maxResponseBytes }, context)
  const deadline = startDeadline(spec.timeoutMs, context, [host.signal])
  const { signal } = deadline
  try {
    const req = await framed.read(spec.request, signal)
    const res = await answer(spec, respond, req, { peer, signal })
    await framed.write(spec.response, res, signal)
    await framed.closeWrite(signal)
    framed.resetUnlessClosedWithin()
  } catch (err) {
    const mapped = toJadfsError(err, 'exchange', context)
    framed.abort(mapped)
    host.logger.debug({ protocol: spec.id, peer: peer.toString(), code: mapped.code, err: mapped.message }, 'protocol exchange failed')
  } finally {
    deadline.clear()
  }
}

// An operating error (JadfsError) from the responder becomes an error response when the
// protocol can carry one; anything else propagates and resets the stream.
async function answer<Req, Res> (spec: ProtocolSpec<Req, Res>, respond: Responder<Req, Res>, req: Req, context: RequestContext): Promise<Res> {
  try {
    return await raceSignal(Promise.resolve().then(() => respond(req, context)), context.signal)
  } catch (err) {
    if (spec.errors === undefined || !(err instanceof JadfsError) || context.signal.aborted) throw err
    return spec.errors.encode(toWireError(err))
  }
}
