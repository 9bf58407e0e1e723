// Writes one length-prefixed frame on an outbound stream, waiting for the muxer to drain when
// its buffer is full, bounded by `signal`. FramedStream.writeEncoded is not used here: it
// calls it-length-prefixed's encode.single without maxDataLength, which then applies its own
// 4 MiB default and refuses every larger frame (a snapshot of a few MiB would never go out).
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import { assert } from '../../util/assert.js'
import { raceSignal } from '../../util/race-signal.js'

export async function writeFrame (stream: Stream, payload: Uint8Array, maxBytes: number, signal: AbortSignal): Promise<void> {
  assert(payload.byteLength <= maxBytes, 'frames over the limit are dropped before they are queued', { bytes: payload.byteLength, maxBytes })
  if (!stream.send(lp.encode.single(payload, { maxDataLength: maxBytes }))) {
    await raceSignal(stream.onDrain({ signal }), signal, (reason) => { abortStream(stream, reason) })
  }
}

/** Resets the stream (both halves) unless it is already finished. */
export function abortStream (stream: Stream, reason: Error): void {
  if (stream.status === 'open' || stream.status === 'closing') stream.abort(reason)
}
