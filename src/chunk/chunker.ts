// Streaming fixed-size chunker. It never gathers a chunk: it re-slices the input pieces at
// chunk boundaries (views, no copies) and marks where each chunk ends, so a consumer can hash
// and write a chunk with bounded memory whatever the piece sizes of the source are.
import { assert } from '../util/assert.js'

export type ChunkEvent =
  | { readonly kind: 'data', readonly bytes: Uint8Array }
  /** the chunk whose data events came just before is complete */
  | { readonly kind: 'end', readonly sizeBytes: number }

/**
 * Every chunk is a run of non-empty 'data' events followed by one 'end'. All chunks are
 * chunkSizeBytes long except possibly the last one; an empty input yields no events at all.
 */
export async function * splitIntoChunks (source: AsyncIterable<Uint8Array>, chunkSizeBytes: number): AsyncGenerator<ChunkEvent> {
  assert(Number.isSafeInteger(chunkSizeBytes) && chunkSizeBytes > 0, 'chunk size must be a positive integer', { chunkSizeBytes })
  let filledBytes = 0
  for await (const piece of source) {
    assert(piece instanceof Uint8Array, 'chunker input must be Uint8Array pieces')
    let offset = 0
    while (offset < piece.byteLength) {
      const takeBytes = Math.min(chunkSizeBytes - filledBytes, piece.byteLength - offset)
      yield { kind: 'data', bytes: piece.subarray(offset, offset + takeBytes) }
      offset += takeBytes
      filledBytes += takeBytes
      if (filledBytes === chunkSizeBytes) {
        yield { kind: 'end', sizeBytes: filledBytes }
        filledBytes = 0
      }
    }
  }
  if (filledBytes > 0) yield { kind: 'end', sizeBytes: filledBytes }
}
