// The read pipeline. Each chunk is opened, re-hashed in full through one reused buffer, and
// only then are its bytes (just the part inside the range) read again from the same open
// descriptor and yielded. The re-hash of chunk i+1 runs while chunk i is being yielded. The second read is normally served by the page cache, so the cost
// over a plain read is one SHA-256 pass; memory stays at a few MiB whatever the chunk size.
//
// Chunks are pinned while the body is being consumed, so an overwrite or delete during the
// read cannot let GC take bytes this reader still needs: it sees the old version completely.
// The first chunk is verified (and pinned) inside readFile() and its descriptor leased to the
// body; the other chunks are pinned from the first pull, and between readFile() and that
// pull the GC grace period (counted from a release) protects them.
import type { FileHandle } from 'node:fs/promises'
import { JadfsError } from '../errors.js'
import type { ChunkStore } from '../store/chunk-store.js'
import { READ_PIECE_BYTES, readChunkRange } from '../store/chunk-verify.js'
import { PieceBuffers } from '../store/piece-buffers.js'
import type { PinSet } from '../store/pin-set.js'
import type { ByteRange, ChunkRef, FileRecord } from './file-service.js'
import { VerifiedHandleLease } from './verified-handle-lease.js'

export interface ReadPipelineComponents {
  readonly chunks: ChunkStore
  readonly pins: PinSet
  /** how long a verified first chunk waits for its body to be pulled */
  readonly leaseIdleMs: number
  readonly isClosing: () => boolean
  /** makes sure a chunk is stored here before it is opened (a cluster fetches it from a peer) */
  readonly beforeOpen?: (chunk: ChunkRef) => Promise<void>
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
 * Opens and re-hashes the first chunk now, so a corrupt or missing first chunk fails the
 * request before any header or byte is sent. The verified descriptor is leased to the body
 * stream, which serves from it without hashing again.
 */
export async function verifyFirstChunk (c: ReadPipelineComponents, chunk: ChunkRef): Promise<VerifiedHandleLease> {
  const release = c.pins.pin([chunk.cid])
  try {
    await c.beforeOpen?.(chunk)
    const handle = await openForReading(c, chunk, Buffer.allocUnsafe(READ_PIECE_BYTES))
    return new VerifiedHandleLease(handle, chunk.cid, release, c.leaseIdleMs)
  } catch (err) {
    release()
    throw err
  }
}

/** a chunk of the file, verified; a cached copy read this way starts its grace period again */
async function openForReading (c: ReadPipelineComponents, chunk: ChunkRef, scratch: Buffer): Promise<FileHandle> {
  const handle = await c.chunks.openVerified(chunk.cid, chunk.sizeBytes, scratch)
  c.chunks.noteRead(chunk.cid)
  return handle
}

export async function * streamChunks (
  c: ReadPipelineComponents,
  spans: ReturnType<typeof chunkSpans>,
  signal: AbortSignal | undefined,
  firstChunk: VerifiedHandleLease | null
): AsyncGenerator<Uint8Array, void, unknown> {
  // One pin per chunk still to come, each released once its chunk is streamed: chunks a long
  // read has passed may then be collected or, in a cluster, evicted to make room for the
  // chunks ahead (a peer with little room can serve a file larger than its room).
  const pinsLeft = spans.map((s) => c.pins.pin([s.chunk.cid]))
  const leased = firstChunk?.take() ?? null
  // the lease's own pin is no longer needed: the pins above cover every chunk
  leased?.releasePin()
  let unusedLeasedHandle = leased?.handle ?? null
  let scratch: Buffer | null = null
  // pieces the consumer hands back through next([piece, ...]) are refilled instead of reallocated
  const pieceBuffers = new PieceBuffers()
  const verify = (span: typeof spans[number]): Promise<FileHandle> => {
    const buffer = scratch ??= Buffer.allocUnsafe(READ_PIECE_BYTES)
    const open = async (): Promise<FileHandle> => await openForReading(c, span.chunk, buffer)
    const before = c.beforeOpen
    const opening = before === undefined ? open() : before(span.chunk).then(open)
    opening.catch(() => {})
    return opening
  }
  // The next chunk is verified while this one is streamed (in the hash worker when it is
  // free), so hashing and serving overlap instead of taking turns. One ahead, never more:
  // at most two descriptors per download, and one verification at a time uses `scratch`.
  let ahead: Promise<FileHandle> | null = null
  try {
    for (const [i, span] of spans.entries()) {
      if (c.isClosing()) throw new JadfsError('SHUTTING_DOWN', 'the node is stopping; the read was cut short')
      signal?.throwIfAborted()
      let handle: FileHandle
      if (i === 0 && unusedLeasedHandle !== null) {
        handle = unusedLeasedHandle
        unusedLeasedHandle = null
      } else {
        const verified = ahead ?? verify(span)
        ahead = null
        handle = await verified
      }
      try {
        const next = spans[i + 1]
        if (next !== undefined) ahead = verify(next)
        yield * readChunkRange(handle, span.chunk.cid, span.fromByte, span.toByteExclusive, pieceBuffers)
      } finally {
        await handle.close()
      }
      pinsLeft[i]?.()
    }
  } finally {
    if (unusedLeasedHandle !== null) await unusedLeasedHandle.close()
    if (ahead !== null) await ahead.then(async (handle) => { await handle.close() }, () => {})
    for (const release of pinsLeft) release()
  }
}
