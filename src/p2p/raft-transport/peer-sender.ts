// Delivery to one peer: a bounded queue drained onto ONE long-lived stream carrying
// length-prefixed messages. The stream is opened on demand, reopened after a failure with
// exponential backoff, and closed after a while without traffic. A failed open drops what is
// queued (those messages are stale by the time the peer is back, and Raft resends what still
// matters) and reports the peer unreachable, so the leader stops pipelining to it.
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NodeId } from '../../raft/types.js'
import type { ProtocolHost } from '../host.js'
import { startDeadline } from '../protocols/deadline.js'
import { raceSignal } from '../../util/race-signal.js'
import { toJadfsError } from '../protocols/stream-errors.js'
import { abortStream, writeFrame } from './frame-writer.js'
import { MAX_OUTBOUND_STREAMS_PER_CONNECTION } from './constants.js'
import { OutboundQueue } from './outbound-queue.js'
import type { QueuedMessage } from './outbound-queue.js'
import type { TransportCounters } from './counters.js'

export interface PeerSenderOptions {
  readonly host: Pick<ProtocolHost, 'dialProtocol' | 'signal' | 'logger'>
  readonly protocol: string
  readonly maxMessageBytes: number
  readonly maxQueuedMessages: number
  readonly maxQueuedBytes: number
  readonly openTimeoutMs: number
  readonly writeTimeoutMs: number
  readonly reconnectBackoffMs: number
  readonly maxReconnectBackoffMs: number
  readonly outboundIdleCloseMs: number
  readonly counters: TransportCounters
  readonly onUnreachable: (nodeId: NodeId) => void
  /** aborted when the transport stops */
  readonly signal: AbortSignal
}

export class PeerSender {
  private readonly queue: OutboundQueue
  private stream: Stream | undefined
  private running = false
  private stopped = false
  private backoffMs: number
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private readonly context: string

  constructor (readonly nodeId: NodeId, private currentTarget: PeerId | Multiaddr, private readonly options: PeerSenderOptions) {
    this.queue = new OutboundQueue(options.maxQueuedMessages, options.maxQueuedBytes)
    this.backoffMs = options.reconnectBackoffMs
    this.context = `${options.protocol} to ${nodeId}`
  }

  /** where the peer is reached now */
  get target (): PeerId | Multiaddr {
    return this.currentTarget
  }

  /** Where the next stream is opened (a restarted peer may have a new address). */
  retarget (target: PeerId | Multiaddr): void {
    this.currentTarget = target
  }

  enqueue (item: QueuedMessage): void {
    if (this.stopped) return
    this.options.counters.droppedOverflow += this.queue.push(item)
    this.cancelIdleClose()
    if (!this.running) {
      this.running = true
      void this.run()
    }
  }

  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.cancelIdleClose()
    this.queue.clear()
    if (this.stream !== undefined) abortStream(this.stream, new Error(`${this.context}: the Raft transport stopped`))
    this.stream = undefined
  }

  private async run (): Promise<void> {
    try {
      while (!this.stopped && this.queue.length > 0) {
        if (this.stream === undefined) {
          try {
            this.stream = await this.open()
          } catch (err) {
            this.options.counters.droppedUnreachable += this.queue.clear()
            this.report('open', err)
            await this.backoff()
            continue
          }
        }
        const item = this.queue.shift()
        if (item === undefined) break
        if (!await this.write(this.stream, item)) await this.backoff()
      }
    } finally {
      // Synchronous from the loop's last check: an enqueue() cannot slip in between.
      this.running = false
      if (!this.stopped) this.armIdleClose()
    }
  }

  private async open (): Promise<Stream> {
    const deadline = startDeadline(this.options.openTimeoutMs, `opening ${this.context}`, [this.options.host.signal, this.options.signal])
    try {
      const stream = await this.options.host.dialProtocol(this.currentTarget, this.options.protocol, {
        signal: deadline.signal,
        maxOutboundStreams: MAX_OUTBOUND_STREAMS_PER_CONNECTION
      })
      if (this.stopped) {
        stream.abort(new Error(`${this.context}: the Raft transport stopped`))
        throw new Error('stopped while opening')
      }
      this.options.counters.streamsOpened++
      // A reset or a closed connection shows here first; the next message then reopens.
      // (The receiver never writes, so nothing is read from this stream.)
      stream.addEventListener('close', () => { if (this.stream === stream) this.stream = undefined }, { once: true })
      return stream
    } catch (err) {
      throw deadline.signal.aborted ? toJadfsError(deadline.signal.reason, 'open', this.context) : toJadfsError(err, 'open', this.context)
    } finally {
      deadline.clear()
    }
  }

  /** Returns false when the stream failed (the message is lost; Raft resends). */
  private async write (stream: Stream, item: QueuedMessage): Promise<boolean> {
    const deadline = startDeadline(this.options.writeTimeoutMs, `writing to ${this.context}`, [this.options.host.signal, this.options.signal])
    try {
      await writeFrame(stream, item.bytes, this.options.maxMessageBytes, deadline.signal)
      this.options.counters.sent++
      this.backoffMs = this.options.reconnectBackoffMs
      return true
    } catch (err) {
      // A stream in an unknown state is reset, never reused.
      const mapped = toJadfsError(err, 'exchange', this.context)
      abortStream(stream, mapped)
      if (this.stream === stream) this.stream = undefined
      this.options.counters.droppedUnreachable++
      this.report('write', mapped)
      return false
    } finally {
      deadline.clear()
    }
  }

  private report (phase: 'open' | 'write', err: unknown): void {
    if (this.stopped) return
    this.options.counters.failures++
    this.options.host.logger.debug({ peer: this.nodeId, phase, err: (err as Error).message }, 'Raft transport: peer unreachable')
    this.options.onUnreachable(this.nodeId)
  }

  private async backoff (): Promise<void> {
    const waitMs = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxReconnectBackoffMs)
    const { signal } = this.options
    if (signal.aborted) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, waitMs)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  private armIdleClose (): void {
    this.cancelIdleClose()
    if (this.stream === undefined) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      const stream = this.stream
      if (this.running || stream === undefined) return
      this.stream = undefined
      const deadline = startDeadline(this.options.openTimeoutMs, `closing ${this.context}`, [this.options.signal])
      raceSignal(stream.close({ signal: deadline.signal }), deadline.signal, (reason) => { abortStream(stream, reason) })
        .catch(() => {})
        .finally(() => { deadline.clear() })
    }, this.options.outboundIdleCloseMs)
    // An idle stream must not keep the process alive.
    this.idleTimer.unref()
  }

  private cancelIdleClose (): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }
}
