// The read pipeline. Each chunk is opened, re-hashed in full through one reused buffer, and
// only then are its bytes (just the part inside the range) read again from the same open
// descriptor and yielded. The second read is normally served by the page cache, so the cost
// over a plain read is one SHA-256 pass; memory stays at a few MiB whatever the chunk size.
//
// Chunks are pinned while the body is being consumed, so an overwrite or delete during the
// read cannot let GC take bytes this reader still needs: it sees the old version completely.
// The pin starts with the first pull; between readFile() and that pull, the GC grace period
// (counted from the release) protects the chunks.
import { JadfsError } from '../errors.js'
import type { ChunkStore } from '../store/chunk-store.js'
import { READ_PIECE_BYTES, readChunkRange } from '../store/chunk-verify.js'
import type { PinSet } from '../store/pin-set.js'
import type { ByteRange, ChunkRef, FileRecord } from './file-service.js'

export interface ReadPipelineComponents {
  readonly chunks: ChunkStore
  readonly pins: PinSet
  readonly isClosing: () => boolean
}

/** the chunks a byte range touches, with the byte span inside each */
export function chunkSpans (record: FileRecord, range: ByteRange | null): Array<{ chunk: ChunkRef, fromByte: number, toByteExclusive: number }> {
  const startByte = range?.start ?? 0
  const endByteExclusive = range === null ? record.sizeBytes : range.end + 1
  const spans = []
  let chunkStart = 0
  for (const chunk of record.chunks) {
    const chunkEnd = chunkStart + chunk.sizeBytes
    if (chunkEnd > startByte && chunkStart < endByteExclusive) {
      spans.push({
        chunk,
        fromByte: Math.max(startByte, chunkStart) - chunkStart,
        toByteExclusive: Math.min(endByteExclusive, chunkEnd) - chunkStart
      })
    }
    if (chunkEnd >= endByteExclusive) break
    chunkStart = chunkEnd
  }
  return spans
}

/**
 * Checks one chunk now (open + full re-hash), so a corrupt or missing first chunk fails the
 * request before any header or byte is sent. The streaming pass checks it again: bytes are
 * only ever served from a descriptor that was hashed, and an open descriptor is not kept
 * across the gap to a body that might never be consumed.
 */
export async function precheckChunk (c: ReadPipelineComponents, chunk: ChunkRef): Promise<void> {
  const release = c.pins.pin([chunk.cid])
  try {
    const handle = await c.chunks.openVerified(chunk.cid, chunk.sizeBytes, Buffer.allocUnsafe(READ_PIECE_BYTES))
    await handle.close()
  } finally {
    release()
  }
}

export async function * streamChunks (
  c: ReadPipelineComponents,
  spans: ReturnType<typeof chunkSpans>,
  signal: AbortSignal | undefined
): AsyncGenerator<Uint8Array> {
  const release = c.pins.pin(spans.map((s) => s.chunk.cid))
  const scratch = Buffer.allocUnsafe(READ_PIECE_BYTES)
  try {
    for (const span of spans) {
      if (c.isClosing()) throw new JadfsError('SHUTTING_DOWN', 'the node is stopping; the read was cut short')
      signal?.throwIfAborted()
      const handle = await c.chunks.openVerified(span.chunk.cid, span.chunk.sizeBytes, scratch)
      try {
        yield * readChunkRange(handle, span.chunk.cid, span.fromByte, span.toByteExclusive)
      } finally {
        await handle.close()
      }
    }
  } finally {
    release()
  }
}
