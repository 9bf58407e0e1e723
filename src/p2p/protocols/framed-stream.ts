// Length-prefixed protobuf messages on a libp2p v3 stream. Reads pull one frame at a time
// from a single decoder over a StreamReader attached when the stream is wrapped; the length
// prefix is checked against the limit before any payload is buffered.
// Every read and write takes a signal: the caller's deadline is what bounds a silent peer.
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { JadfsError } from '../../errors.js'
import { startDeadline } from './deadline.js'
import { raceSignal } from '../../util/race-signal.js'
import { toJadfsError } from './stream-errors.js'
import { StreamReader } from './stream-reader.js'
import type { MessageCodec } from './protocol-spec.js'

/** A varint length prefix of a 32-bit length takes at most 5 bytes. */
const MAX_LENGTH_PREFIX_BYTES = 5

/**
 * How long the peer has to close its half once an exchange is over on our side. A stream is
 * gone only when both halves are closed: one whose peer keeps its half open would otherwise
 * stay open, and count against the protocol's stream limits, until the connection closes.
 * The peer closes right after its last message, so this only has to cover the network.
 */
export const PEER_CLOSE_WAIT_MS = 5000

export interface FramedStreamLimits {
  /** Largest frame payload accepted from the peer. */
  readonly maxReadBytes: number
  /** Largest frame payload we send; the peer would reject more anyway. */
  readonly maxWriteBytes: number
}

/** What ends the wait for the peer to close its end (FramedStream.readEndWithin). */
export interface EndWait {
  /** Signals that fail the exchange: the host stopping, the caller's abort. */
  readonly failOn: ReadonlyArray<AbortSignal | undefined>
  /** The exchange's own deadline: passing it ends the wait as `waitMs` running out does. */
  readonly deadline?: AbortSignal
  /** @default PEER_CLOSE_WAIT_MS */
  readonly waitMs?: number
}

export class FramedStream {
  private readonly frames: AsyncIterator<Uint8ArrayList>

  constructor (readonly stream: Stream, readonly limits: FramedStreamLimits, private readonly context: string) {
    // Buffer at most one frame ahead of the decoder before pausing the stream.
    const reader = new StreamReader(stream, limits.maxReadBytes + MAX_LENGTH_PREFIX_BYTES)
    this.frames = lp.decode(reader, { maxDataLength: limits.maxReadBytes })[Symbol.asyncIterator]()
  }

  /** Reads the next message; the stream ending cleanly before it is a PROTOCOL_ERROR. */
  async read<T> (codec: MessageCodec<T>, signal: AbortSignal): Promise<T> {
    const message = await this.readOrEnd(codec, signal)
    if (message === undefined) throw new JadfsError('PROTOCOL_ERROR', `${this.context}: the peer closed the stream before sending a message`)
    return message
  }

  /** Reads the next message, or undefined when the peer closed its end at a message boundary. */
  async readOrEnd<T> (codec: MessageCodec<T>, signal: AbortSignal): Promise<T | undefined> {
    let frame: IteratorResult<Uint8ArrayList>
    try {
      frame = await raceSignal(this.frames.next(), signal, (reason) => { this.abort(reason) })
    } catch (err) {
      throw this.fail(err)
    }
    if (frame.done === true) return undefined
    try {
      return codec.decode(frame.value)
    } catch (err) {
      throw this.fail(new JadfsError('PROTOCOL_ERROR', `${this.context}: malformed message (${(err as Error).message})`, { cause: err }))
    }
  }

  /**
   * After the last message expected: undefined once the peer closes its end, or a message it
   * should not have sent. A peer that does neither within `waitMs`, or before the exchange's
   * own `deadline` passes, has still sent all it had to: the stream is reset (see wasReset)
   * and undefined returned, so an answer already read is kept. What fails the read is a
   * stream error or `failOn` aborting (the host stopping, the caller giving up).
   */
  async readEndWithin<T> (codec: MessageCodec<T>, wait: EndWait): Promise<T | undefined> {
    const waitMs = wait.waitMs ?? PEER_CLOSE_WAIT_MS
    const waiting = startDeadline(waitMs, `${this.context}: waiting for the peer to close its end`, [...wait.failOn, wait.deadline])
    try {
      return await this.readOrEnd(codec, waiting.signal)
    } catch (err) {
      // readOrEnd has reset the stream
      if (waiting.signal.aborted && !wait.failOn.some((s) => s?.aborted === true)) return undefined
      throw err
    } finally {
      waiting.clear()
    }
  }

  /** Whether the stream ended reset (by either side) rather than closed. */
  get wasReset (): boolean {
    return this.stream.status === 'aborted' || this.stream.status === 'reset'
  }

  async write<T> (codec: MessageCodec<T>, message: T, signal: AbortSignal): Promise<void> {
    await this.writeEncoded(codec.encode(message), signal)
  }

  /** Writes an already encoded message (for callers that check its size before dialling). */
  async writeEncoded (payload: Uint8Array, signal: AbortSignal): Promise<void> {
    if (payload.byteLength > this.limits.maxWriteBytes) {
      throw this.fail(new JadfsError('MESSAGE_TOO_LARGE', `${this.context}: message of ${payload.byteLength} bytes is over the limit of ${this.limits.maxWriteBytes} bytes`))
    }
    try {
      // it-length-prefixed applies its own 4 MiB default unless told our limit.
      if (!this.stream.send(lp.encode.single(payload, { maxDataLength: this.limits.maxWriteBytes }))) {
        // The muxer's buffer is full: wait for room, bounded by the same signal.
        await raceSignal(this.stream.onDrain({ signal }), signal, (reason) => { this.abort(reason) })
      }
    } catch (err) {
      throw this.fail(err)
    }
  }

  /** Closes our writing half once buffered data is handed to the transport. */
  async closeWrite (signal: AbortSignal): Promise<void> {
    try {
      await raceSignal(this.stream.close({ signal }), signal, (reason) => { this.abort(reason) })
    } catch (err) {
      throw this.fail(err)
    }
  }

  /**
   * For an exchange over on our side (our half closed, nothing more to read): resets the
   * stream unless the peer closes its half within PEER_CLOSE_WAIT_MS. Returns at once; does
   * nothing to a stream already closed or reset.
   */
  resetUnlessClosedWithin (): void {
    const stream = this.stream
    if (stream.status !== 'open' && stream.status !== 'closing') return
    const timer = setTimeout(() => {
      stream.removeEventListener('close', onClose)
      this.abort(new JadfsError('PROTOCOL_ERROR', `${this.context}: the peer did not close its end within ${PEER_CLOSE_WAIT_MS} ms of the exchange ending`))
    }, PEER_CLOSE_WAIT_MS)
    // a lingering stream must not keep the process alive either
    timer.unref()
    const onClose = (): void => { clearTimeout(timer) }
    stream.addEventListener('close', onClose, { once: true })
  }

  /** Resets the stream (both halves) unless it is already finished. */
  abort (reason: Error): void {
    if (this.stream.status === 'open' || this.stream.status === 'closing') this.stream.abort(reason)
  }

  // Any failure leaves the stream in an unknown state, so it is reset rather than reused.
  private fail (err: unknown): JadfsError {
    const mapped = toJadfsError(err, 'exchange', this.context)
    this.abort(mapped)
    return mapped
  }
}
