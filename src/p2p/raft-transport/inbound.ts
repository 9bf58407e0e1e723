// The receiving end of /jadfs/raft/1.0.0: reads length-prefixed messages from one peer's
// stream until it closes, and hands each valid one to onMessage in order.
//   - `from` must be the remote peer: the connection is authenticated by Noise, so a peer
//     cannot speak for another. Such a message is dropped (and logged), the stream kept,
//     because honest peers produce a few: a follower forwards MsgTransferLeader with `from`
//     set to the transferee, and that is lost here (a transfer must be asked of the leader).
//     Forwarded requests (MsgProp, MsgReadIndex: term 0) are the exception: the core keeps
//     their origin's `from` so the answer goes back to it, and one forwarded twice (through a
//     node that just lost leadership) arrives from the second hop. They grant nothing a peer
//     could not do in its own name, so they pass with any `from`.
//   - `to` must be us; otherwise the message is dropped.
//   - a message type the core only makes for itself (MsgHup, MsgBeat, ...) is malformed: the
//     core asserts it never sees one from the network, so it must not get that far.
//   - a message over maxMessageBytes, a malformed one, or silence past the idle timeout
//     resets the stream; the sender reopens it when it has something to say.
// Streams are bounded per connection (libp2p) and in total (raft-transport.ts), not by who
// sends: there is no filter on Raft membership, because none is both cheap and correct.
// Raft needs a node to hear peers it does not know yet: a node with no configuration (joining
// with --join) hears first from a leader it cannot know, and a follower that has not applied
// (or received) the change adding a voter may be the vote that voter needs to win, then must
// take its MsgApp to learn of it. Dropping ids once removed fails too: the membership manager
// adds a removed peer again when it comes back. And without --cluster-key, membership is no
// trust boundary: the leader adds any peer heard on gossip as a learner. --cluster-key is what
// keeps outsiders off these streams.
import type { Connection, Stream } from '@libp2p/interface'
import { JadfsError } from '../../errors.js'
import type { Message } from '../../raft/types.js'
import type { ProtocolHost } from '../host.js'
import { startDeadline } from '../protocols/deadline.js'
import { FramedStream, PEER_CLOSE_WAIT_MS } from '../protocols/framed-stream.js'
import { toJadfsError } from '../protocols/stream-errors.js'
import type { TransportCounters } from './counters.js'
import { isLocalMessageType, raftMessageCodec } from './wire-message.js'

/** a proposal or read forwarded toward the leader on behalf of its origin */
function isForwardedRequest (m: Message): boolean {
  return (m.type === 'MsgProp' || m.type === 'MsgReadIndex') && m.term === 0
}

export interface InboundOptions {
  readonly host: Pick<ProtocolHost, 'peerId' | 'signal' | 'logger'>
  readonly protocol: string
  readonly maxMessageBytes: number
  readonly inboundIdleTimeoutMs: number
  readonly counters: TransportCounters
  readonly onMessage: (message: Message) => void
  /**
   * A stream that carries one message of this type and then ends (the large-snapshot
   * protocol): anything else on it, or a second message, resets it. Without: any number of
   * messages of any type the network may carry.
   */
  readonly onlyOne?: Message['type']
  /** aborted when the transport stops */
  readonly signal: AbortSignal
}

export async function serveInbound (options: InboundOptions, stream: Stream, connection: Connection): Promise<void> {
  const remote = connection.remotePeer.toString()
  const self = options.host.peerId.toString()
  const context = `${options.protocol} from ${remote}`
  // We never write on this stream: a zero-byte write budget would do, the framer wants > 0.
  const framed = new FramedStream(stream, { maxReadBytes: options.maxMessageBytes, maxWriteBytes: 1 }, context)
  let read = 0
  while (true) {
    let message: Message | undefined
    // A stream of one message has nothing more to bring once that message is in: its sender
    // gets a short while to close (the snapshot slot is held until then), not the whole timeout.
    const done = options.onlyOne !== undefined && read === 1
    const waitMs = done ? Math.min(PEER_CLOSE_WAIT_MS, options.inboundIdleTimeoutMs) : options.inboundIdleTimeoutMs
    const deadline = startDeadline(waitMs, `${context}: ${done ? 'waiting for the sender to close' : 'waiting for a message'}`, [options.host.signal, options.signal])
    try {
      message = await framed.readOrEnd(raftMessageCodec, deadline.signal)
      if (message === undefined) {
        // The sender closed its half (idle, or stopping): close ours so the stream is done.
        await framed.closeWrite(deadline.signal)
        return
      }
      if (isLocalMessageType(message.type)) {
        throw new JadfsError('PROTOCOL_ERROR', `${context}: ${message.type} is a local message type and never travels between peers`)
      }
      read++
      if (options.onlyOne !== undefined && (message.type !== options.onlyOne || read > 1)) {
        // a peer must not hold the one large-message slot, or send anything that large, but a snapshot
        throw new JadfsError('PROTOCOL_ERROR', `${context}: this stream carries one ${options.onlyOne}, got ${read > 1 ? 'a second message' : message.type}`)
      }
    } catch (err) {
      const mapped = toJadfsError(err, 'exchange', context)
      framed.abort(mapped)
      if (!options.signal.aborted && !options.host.signal.aborted) options.counters.inboundStreamsReset++
      options.host.logger.debug({ peer: remote, code: mapped.code, err: mapped.message }, 'Raft transport: inbound stream ended')
      return
    } finally {
      deadline.clear()
    }
    if ((message.from !== remote && !isForwardedRequest(message)) || message.to !== self) {
      options.counters.droppedInvalid++
      options.host.logger.warn({ peer: remote, from: message.from, to: message.to, type: message.type }, 'Raft transport: dropped a message whose from is not the sending peer or whose to is not us')
      continue
    }
    // A message read just as the transport stopped is not delivered to a stopped driver.
    if (options.signal.aborted) return
    options.counters.received++
    // Outside the try: a throw here is the Raft code's broken invariant, and must crash.
    options.onMessage(message)
  }
}
