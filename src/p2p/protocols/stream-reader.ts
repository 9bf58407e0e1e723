// Reads a libp2p v3 stream through its events instead of its async iterator. The iterator
// only listens from its first next(): if the remote has already closed its end while data is
// still buffered, the iterator delivers the data but never ends (its 'remoteCloseWrite' and
// 'close' events fired before it listened). We attach at construction and finish once the
// stream says its readable end is over and its buffer is empty. 'end' alone is not enough:
// protocol negotiation can read past its own bytes, see the end, and put the surplus back
// into the buffer after 'end' was emitted. It also applies backpressure: past
// highWaterMarkBytes of undelivered data the stream is paused, so a fast peer cannot make
// us buffer without bound.
import { StreamResetError } from '@libp2p/interface'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

type Chunk = Uint8Array | Uint8ArrayList

export class StreamReader implements AsyncIterable<Chunk> {
  private readonly queue: Chunk[] = []
  private queuedBytes = 0
  private paused = false
  private resuming = false
  private pauseAfterResume = false
  private ended = false
  private error: Error | undefined
  private wake: (() => void) | undefined
  private iterating = false

  constructor (private readonly stream: Stream, private readonly highWaterMarkBytes: number) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('end', this.onEnd)
    stream.addEventListener('close', this.onClose)
    this.finishIfDrained()
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Chunk, void, undefined> {
    if (this.iterating) throw new Error('a StreamReader can be iterated only once')
    this.iterating = true
    try {
      while (true) {
        const chunk = this.queue.shift()
        if (chunk !== undefined) {
          this.queuedBytes -= chunk.byteLength
          if (this.paused && this.queuedBytes < this.highWaterMarkBytes) {
            this.paused = false
            // The readable end may have closed meanwhile (the peer finished); then there is
            // nothing to resume, and resume() would throw.
            if (this.stream.readStatus === 'paused') this.resume()
          }
          yield chunk
          continue
        }
        if (this.error !== undefined) throw this.error
        if (this.ended) return
        await new Promise<void>((resolve) => { this.wake = resolve })
      }
    } finally {
      this.detach()
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.ended) return
    this.queue.push(evt.data)
    this.queuedBytes += evt.data.byteLength
    if (!this.paused && this.queuedBytes >= this.highWaterMarkBytes && this.stream.readStatus === 'readable') {
      this.paused = true
      if (this.resuming) this.pauseAfterResume = true
      else this.stream.pause()
    }
    this.finishIfDrained()
    this.notify()
  }

  // resume() first hands out what the stream buffered while paused, synchronously, and only
  // then tells the muxer to grant the peer more window. A pause asked for during that
  // hand-out would be undone by the second step (the muxer keeps granting window while the
  // stream counts as paused, until its read buffer overflows and libp2p aborts it), so it
  // is applied once resume() has returned.
  private resume (): void {
    this.resuming = true
    try {
      this.stream.resume()
    } finally {
      this.resuming = false
    }
    if (this.pauseAfterResume) {
      this.pauseAfterResume = false
      if (this.stream.readStatus === 'readable') this.stream.pause()
    }
  }

  private readonly onEnd = (): void => { this.finishIfDrained() }

  // A close with an error is a reset or abort: what is queued is abandoned.
  private readonly onClose = (evt: StreamCloseEvent): void => {
    if (evt.error !== undefined) this.finish(evt.error)
    else this.finishIfDrained()
  }

  // On a reset the stream emits 'end' before the 'close' that carries the error, so the
  // status is checked here too: a reset must not look like a clean end.
  private finishIfDrained (): void {
    const { status } = this.stream
    if (status === 'reset' || status === 'aborted') this.finish(new StreamResetError(`the stream was ${status}`))
    else if (this.stream.readableEnded && this.stream.readBufferLength === 0) this.finish()
  }

  private finish (error?: Error): void {
    if (this.ended) return
    this.ended = true
    if (error !== undefined) {
      this.error = error
      this.queue.length = 0
      this.queuedBytes = 0
    }
    this.detach()
    this.notify()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private detach (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('end', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
  }
}
