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
  const inbound = new InboundStream(options, stream, connection)
  if (options.onlyOne === undefined) {
    while (true) {
      const message = await inbound.next()
      if (message === undefined) return
      if (!inbound.deliver(message)) return
    }
  }
  const message = await inbound.next()
  if (message === undefined) return
  if (message.type !== options.onlyOne) {
    // a peer must not hold the one large-message slot, or send anything that large, but a snapshot
    inbound.reset(new JadfsError('PROTOCOL_ERROR', `${inbound.context}: this stream carries one ${options.onlyOne}, got ${message.type}`))
    return
  }
  if (!inbound.deliver(message)) return
  await inbound.end()
}

class InboundStream {
  readonly context: string
  private readonly remote: string
  private readonly self: string
  private readonly framed: FramedStream

  constructor (private readonly options: InboundOptions, stream: Stream, connection: Connection) {
    this.remote = connection.remotePeer.toString()
    this.self = options.host.peerId.toString()
    this.context = `${options.protocol} from ${this.remote}`
    // We never write on this stream: a zero-byte write budget would do, the framer wants > 0.
    this.framed = new FramedStream(stream, { maxReadBytes: options.maxMessageBytes, maxWriteBytes: 1 }, this.context)
  }

  /** The next message, or undefined once the stream has ended (closed, or reset on a failure). */
  async next (): Promise<Message | undefined> {
    const { options } = this
    const deadline = startDeadline(options.inboundIdleTimeoutMs, `${this.context}: waiting for a message`, [options.host.signal, options.signal])
    try {
      const message = await this.framed.readOrEnd(raftMessageCodec, deadline.signal)
      if (message === undefined) {
        // The sender closed its half (idle, or stopping): close ours so the stream is done.
        await this.framed.closeWrite(deadline.signal)
        return undefined
      }
      if (isLocalMessageType(message.type)) {
        throw new JadfsError('PROTOCOL_ERROR', `${this.context}: ${message.type} is a local message type and never travels between peers`)
      }
      return message
    } catch (err) {
      this.reset(err)
      return undefined
    } finally {
      deadline.clear()
    }
  }

  /**
   * After the one message of a stream that carries one: it has nothing more to bring, so its
   * sender gets a short while to close (the snapshot slot is held until then), not the whole
   * idle timeout. Not closing in time, or sending more, resets the stream.
   */
  async end (): Promise<void> {
    const { options } = this
    const stopping = [options.host.signal, options.signal]
    try {
      const extra = await this.framed.readEndWithin(raftMessageCodec, { failOn: stopping, waitMs: Math.min(PEER_CLOSE_WAIT_MS, options.inboundIdleTimeoutMs) })
      if (extra !== undefined) throw new JadfsError('PROTOCOL_ERROR', `${this.context}: a second message on a stream that carries one`)
      if (this.framed.wasReset) {
        this.reset(new JadfsError('PROTOCOL_ERROR', `${this.context}: the sender did not close its end within ${PEER_CLOSE_WAIT_MS} ms of its message`))
        return
      }
    } catch (err) {
      this.reset(err)
      return
    }
    // the sender closed its half: close ours so the stream is done
    const deadline = startDeadline(options.inboundIdleTimeoutMs, `${this.context}: closing`, stopping)
    try {
      await this.framed.closeWrite(deadline.signal)
    } catch (err) {
      this.reset(err)
    } finally {
      deadline.clear()
    }
  }

  /** Resets the stream (if it is not already), counting it unless the transport is stopping. */
  reset (err: unknown): void {
    const { options } = this
    const mapped = toJadfsError(err, 'exchange', this.context)
    this.framed.abort(mapped)
    if (!options.signal.aborted && !options.host.signal.aborted) options.counters.inboundStreamsReset++
    options.host.logger.debug({ peer: this.remote, code: mapped.code, err: mapped.message }, 'Raft transport: inbound stream ended')
  }

  /**
   * Hands a valid message on; false once the transport has stopped. Outside any try: a throw
   * here is the Raft code's broken invariant, and must crash.
   */
  deliver (message: Message): boolean {
    const { options } = this
    if ((message.from !== this.remote && !isForwardedRequest(message)) || message.to !== this.self) {
      options.counters.droppedInvalid++
      options.host.logger.warn({ peer: this.remote, from: message.from, to: message.to, type: message.type }, 'Raft transport: dropped a message whose from is not the sending peer or whose to is not us')
      return true
    }
    // A message read just as the transport stopped is not delivered to a stopped driver.
    if (options.signal.aborted) return false
    options.counters.received++
    options.onMessage(message)
    return true
  }
}
