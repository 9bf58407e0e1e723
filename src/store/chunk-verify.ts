// Re-hashing a chunk before serving it. The verify pass reads the chunk file through one
// reused buffer, so memory does not grow with chunk size; the serving pass then reads the same
// open descriptor again (normally from the page cache), so a rename over the path in between
// cannot swap in bytes that were not checked.
import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { sha256OfChunkCid } from '../chunk/cid.js'
import { assert } from '../util/assert.js'
import type { ChunkHashWorkerPool, FileDigest } from './chunk-hash-worker-pool.js'
import type { PieceBuffers } from './piece-buffers.js'
import { toStorageError } from './storage-error.js'

export const READ_PIECE_BYTES = 1024 * 1024

/** null if the file holds exactly the bytes the id names, else why not */
export async function findChunkDefect (
  handle: FileHandle,
  cid: string,
  expectedSizeBytes: number | null,
  scratch: Buffer,
  workers?: ChunkHashWorkerPool
): Promise<string | null> {
  let digest: FileDigest
  try {
    digest = await (workers?.tryHash(handle.fd) ?? hashOpenFile(handle, scratch))
  } catch (err) {
    throw toStorageError(err, `reading chunk ${cid}`)
  }
  if (expectedSizeBytes !== null && digest.sizeBytes !== expectedSizeBytes) {
    return `size is ${digest.sizeBytes} bytes, expected ${expectedSizeBytes}`
  }
  if (!Buffer.from(sha256OfChunkCid(cid)).equals(digest.sha256)) return 'sha-256 does not match its id'
  return null
}

async function hashOpenFile (handle: FileHandle, scratch: Buffer): Promise<FileDigest> {
  const hash = createHash('sha256')
  let position = 0
  while (true) {
    const { bytesRead } = await handle.read(scratch, 0, scratch.byteLength, position)
    if (bytesRead === 0) break
    hash.update(scratch.subarray(0, bytesRead))
    position += bytesRead
  }
  return { sizeBytes: position, sha256: hash.digest() }
}

/**
 * Yields bytes [startByte, endByteExclusive) of the open chunk file, each piece in a buffer of
 * its own. With `buffers`, pieces come from that pool, and a consumer may pass pieces it no
 * longer uses back through next([piece, ...]) to be refilled.
 */
export async function * readChunkRange (
  handle: FileHandle,
  cid: string,
  startByte: number,
  endByteExclusive: number,
  buffers?: PieceBuffers
): AsyncGenerator<Uint8Array, void, unknown> {
  assert(startByte >= 0 && startByte <= endByteExclusive, 'bad chunk range', { startByte, endByteExclusive })
  let position = startByte
  while (position < endByteExclusive) {
    const wantBytes = Math.min(READ_PIECE_BYTES, endByteExclusive - position)
    const piece = buffers === undefined ? Buffer.allocUnsafe(wantBytes) : buffers.take()
    let bytesRead: number
    try {
      ({ bytesRead } = await handle.read(piece, 0, wantBytes, position))
    } catch (err) {
      throw toStorageError(err, `reading chunk ${cid}`)
    }
    // the file was verified at this length a moment ago; shrinking now is an I/O fault
    if (bytesRead === 0) throw toStorageError(new Error(`chunk ${cid} ended early at byte ${position}`), 'reading a chunk')
    position += bytesRead
    const handedBack = yield bytesRead === piece.byteLength ? piece : piece.subarray(0, bytesRead)
    buffers?.handBack(handedBack)
  }
}
