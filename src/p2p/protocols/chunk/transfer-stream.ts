// One chunk transfer on one stream, with the two clocks every transfer runs under: a total
// deadline for the whole transfer, and an idle deadline for each single wait on the peer
// (its next header or frame, or room in the send buffer). The idle clock only runs while we
// wait on the peer, so a slow consumer of a fetched body is not mistaken for a silent peer;
// the total deadline still bounds it, and firing resets the stream even when nobody is
// waiting on it, so an abandoned transfer cannot hold a stream open.
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { startDeadline } from '../deadline.js'
import { abortReason } from '../../../util/race-signal.js'
import type { Deadline } from '../deadline.js'
import { FramedStream, PEER_CLOSE_WAIT_MS } from '../framed-stream.js'
import type { MessageCodec } from '../protocol-spec.js'
import type { ChunkTransferLimits } from './constants.js'
import { MAX_HEADER_BYTES, agreeFrameBytes } from './constants.js'

/**
 * Data frames are the chunk bytes themselves, length-prefixed like the headers. A frame is
 * handed on as the pieces it arrived in: joining them (up to a MiB) into one new buffer per
 * frame was a whole extra copy of every byte received, and that garbage, with the
 * transport's own, made V8 run full mark-compacts several times a second.
 */
const rawFrame: MessageCodec<Uint8ArrayList> = {
  encode: (list) => list.subarray(),
  decode: (bytes: Uint8Array | Uint8ArrayList) => bytes instanceof Uint8Array ? new Uint8ArrayList(bytes) : bytes
}

/**
 * A header codec held to MAX_HEADER_BYTES. The stream reads every frame under the (larger)
 * data frame limit, so without this a header could be 64 times its documented size; one
 * over the limit is a PROTOCOL_ERROR that resets the stream.
 */
function header<T> (codec: MessageCodec<T>): MessageCodec<T> {
  return {
    encode: codec.encode,
    decode: (bytes) => {
      if (bytes.byteLength > MAX_HEADER_BYTES) throw new Error(`a header of ${bytes.byteLength} bytes is over the limit of ${MAX_HEADER_BYTES}`)
      return codec.decode(bytes)
    }
  }
}

export class TransferClock {
  private readonly total: Deadline
  private readonly onTotalAbort: () => void
  private stream: FramedStream | undefined

  /** `parents`: what fails the transfer besides its own deadlines (the host stopping, the caller's abort). */
  constructor (readonly limits: ChunkTransferLimits, readonly context: string, readonly parents: ReadonlyArray<AbortSignal | undefined>) {
    this.total = startDeadline(limits.transferTimeoutMs, context, parents)
    this.onTotalAbort = () => { this.stream?.abort(abortReason(this.total.signal)) }
    this.total.signal.addEventListener('abort', this.onTotalAbort, { once: true })
  }

  get signal (): AbortSignal {
    return this.total.signal
  }

  /** Runs one wait on the peer under the idle deadline, or `timeoutMs` (and the total one). */
  async step<T> (work: (signal: AbortSignal) => Promise<T>, timeoutMs = this.limits.idleTimeoutMs): Promise<T> {
    const idle = startDeadline(timeoutMs, `${this.context}: waiting for the peer`, [this.total.signal])
    try {
      return await work(idle.signal)
    } catch (err) {
      // A deadline or the caller's abort is reported as itself (TIMEOUT, the caller's
      // reason), not as the stream error it caused.
      if (idle.signal.aborted) throw abortReason(idle.signal)
      throw err
    } finally {
      idle.clear()
    }
  }

  /** Wraps the stream once it is open; from now on the total deadline resets it. */
  attach (stream: Stream): TransferStream {
    const maxBytes = Math.max(this.limits.maxFrameBytes, MAX_HEADER_BYTES)
    const framed = new FramedStream(stream, { maxReadBytes: maxBytes, maxWriteBytes: maxBytes }, this.context)
    this.stream = framed
    if (this.total.signal.aborted) this.onTotalAbort()
    return new TransferStream(framed, this)
  }

  /**
   * Stops both clocks; call it in `finally`. A stream still open then is over on our side
   * (every failure has reset it): the peer gets PEER_CLOSE_WAIT_MS to close its half (see
   * FramedStream.resetUnlessClosedWithin). Done here, every exit path ends its stream, not
   * just those that remember to.
   */
  clear (): void {
    this.total.signal.removeEventListener('abort', this.onTotalAbort)
    this.total.clear()
    this.stream?.resetUnlessClosedWithin()
  }
}

export class TransferStream {
  /** Frames we send: our limit until the peer states a lower one. */
  private sendFrameBytes: number

  constructor (private readonly framed: FramedStream, private readonly clock: TransferClock) {
    this.sendFrameBytes = clock.limits.maxFrameBytes
  }

  /** The peer's frame limit, as its header stated it; false if it is too small to honour. */
  agreeFrameBytes (theirs: number): boolean {
    const agreed = agreeFrameBytes(this.clock.limits.maxFrameBytes, theirs)
    if (agreed === undefined) return false
    this.sendFrameBytes = agreed
    return true
  }

  async readHeader<T> (codec: MessageCodec<T>): Promise<T> {
    return await this.clock.step(async (signal) => await this.framed.read(header(codec), signal))
  }

  /** Reads a header the peer sends only after a pass over the whole chunk on its disk. */
  async readHeaderAfterDiskPass<T> (codec: MessageCodec<T>): Promise<T> {
    return await this.clock.step(async (signal) => await this.framed.read(header(codec), signal), this.clock.limits.diskPassTimeoutMs)
  }

  /** The next data frame as the pieces it arrived in (iterate it for them), or undefined when the peer closed its writing half. */
  async readFrameOrEnd (): Promise<Uint8ArrayList | undefined> {
    return await this.clock.step(async (signal) => await this.framed.readOrEnd(rawFrame, signal))
  }

  /**
   * After the last frame expected: undefined once the peer closes its end (or, if it has not
   * within PEER_CLOSE_WAIT_MS or before the total deadline passes, the stream is reset:
   * everything expected has arrived), or a frame it should not have sent.
   */
  async readEnd (): Promise<Uint8ArrayList | undefined> {
    return await this.framed.readEndWithin(rawFrame, {
      failOn: this.clock.parents,
      deadline: this.clock.signal,
      waitMs: Math.min(PEER_CLOSE_WAIT_MS, this.clock.limits.idleTimeoutMs)
    })
  }

  async writeHeader<T> (codec: MessageCodec<T>, message: T): Promise<void> {
    await this.clock.step(async (signal) => { await this.framed.write(codec, message, signal) })
  }

  /** Sends bytes as frames of at most maxFrameBytes, each waiting for room (backpressure). */
  async writeData (bytes: Uint8Array): Promise<void> {
    const maxFrameBytes = this.sendFrameBytes
    for (let offset = 0; offset < bytes.byteLength; offset += maxFrameBytes) {
      const frame = bytes.subarray(offset, Math.min(offset + maxFrameBytes, bytes.byteLength))
      await this.clock.step(async (signal) => { await this.framed.writeEncoded(frame, signal) })
    }
  }

  async closeWrite (): Promise<void> {
    await this.clock.step(async (signal) => { await this.framed.closeWrite(signal) })
  }

  abort (reason: Error): void {
    this.framed.abort(reason)
  }
}
