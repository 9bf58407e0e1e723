// The slice of the local storage engine the chunk protocols use, and a verified read of a
// stored chunk: the whole chunk is re-hashed (ChunkStore.openVerified) before its first
// byte is handed out, and the bytes then come from that same open descriptor.
import type { FileHandle } from 'node:fs/promises'
import { JadfsError } from '../../../errors.js'
import type { ChunkIndex } from '../../../store/chunk-index.js'
import type { ChunkStore } from '../../../store/chunk-store.js'
import { READ_PIECE_BYTES, readChunkRange } from '../../../store/chunk-verify.js'

export interface ChunkProtocolStore {
  readonly chunks: Pick<ChunkStore, 'openVerified' | 'createWriter' | 'commit'>
  readonly index: Pick<ChunkIndex, 'get' | 'keepAsCopy'>
}

export interface VerifiedChunk {
  readonly sizeBytes: number
  /** Yields bytes [startByte, endByteExclusive) of the verified copy. */
  read: (startByte: number, endByteExclusive: number) => AsyncGenerator<Uint8Array>
  close: () => Promise<void>
}

/** True when a copy believed sound is stored here (not absent, not marked bad). */
export function holdsChunk (store: ChunkProtocolStore, cid: string): boolean {
  return store.index.get(cid)?.state === 'ok'
}

/** Re-hashes the stored chunk; CHUNK_NOT_FOUND or CHUNK_CORRUPT if it cannot be served. */
export async function openVerifiedChunk (store: ChunkProtocolStore, cid: string): Promise<VerifiedChunk> {
  const row = store.index.get(cid)
  if (row === undefined || row.state === 'absent') {
    throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${cid} is not stored on this node`, { details: { cid } })
  }
  // One scratch buffer per transfer: the verify pass reads through it, so memory per
  // transfer stays at one piece whatever the chunk size.
  const handle: FileHandle = await store.chunks.openVerified(cid, row.sizeBytes, Buffer.allocUnsafe(READ_PIECE_BYTES))
  return {
    sizeBytes: row.sizeBytes,
    read: (startByte, endByteExclusive) => readChunkRange(handle, cid, startByte, endByteExclusive),
    close: async () => { await handle.close() }
  }
}
