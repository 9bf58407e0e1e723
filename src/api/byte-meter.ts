// Counts download body bytes as they stream past, for the bytes-out metric, without buffering,
// and hands pieces the response has finished with back to the source for reuse.
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/** pieces remembered for hand-back; older ones are left to the garbage collector */
const MAX_HELD_PIECES = 4

/**
 * Continues an iterator whose first result was already pulled (to catch errors before
 * headers). `pendingBytes()` tells how many of the bytes yielded so far may still be
 * referenced downstream (null: unknown). Downstream writes in order, so those are the last
 * ones yielded, and every piece that ends before them is passed back to the source as
 * next([piece, ...]), for a source that reuses its buffers.
 */
export async function * resumeIterator (
  first: IteratorResult<Uint8Array>,
  rest: AsyncIterator<Uint8Array>,
  add: (bytes: number) => void,
  pendingBytes: () => number | null = () => null
): AsyncGenerator<Uint8Array> {
  let result = first
  let yieldedBytes = 0
  const held: Array<{ piece: Uint8Array, endOffset: number }> = []
  try {
    while (result.done !== true) {
      const piece = result.value
      add(piece.byteLength)
      yieldedBytes += piece.byteLength
      held.push({ piece, endOffset: yieldedBytes })
      if (held.length > MAX_HELD_PIECES) held.shift()
      yield piece
      const pending = pendingBytes()
      const done: Uint8Array[] = []
      while (pending !== null && held[0] !== undefined && held[0].endOffset <= yieldedBytes - pending) {
        done.push(held[0].piece)
        held.shift()
      }
      result = await rest.next(done.length > 0 ? done : undefined)
    }
  } finally {
    // Lets the source release what it holds when the client goes away mid-download.
    if (result.done !== true) await rest.return?.()
  }
}

/**
 * The response body stream for a download. What may still reference a piece: this stream's
 * own buffer (then nothing is known: null) and the response, whose writableLength counts the
 * bytes it and its socket still hold, including a write the kernel has not taken in yet (and
 * any header bytes, which only makes the count more cautious).
 */
export function downloadBody (first: IteratorResult<Uint8Array>, rest: AsyncIterator<Uint8Array>, add: (bytes: number) => void, res: ServerResponse): Readable {
  let stream: Readable | null = null
  const pendingBytes = (): number | null =>
    stream === null || stream.readableLength !== 0 || res.destroyed ? null : res.writableLength
  stream = Readable.from(resumeIterator(first, rest, add, pendingBytes), { objectMode: false })
  return stream
}
