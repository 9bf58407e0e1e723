// Storing a chunk that arrives from elsewhere under the id the sender named: the bytes go
// through the store's own write-while-hashing path (temp file, fdatasync, rename), and
// commit() compares the writer's digest with the expected id before placing anything, so a
// wrong byte is never stored and no temp file is left behind.
import type { ChunkStore, StoredChunk } from './chunk-store.js'

export type ChunkReceiver = Pick<ChunkStore, 'createWriter' | 'commit'>

export interface ReceivedChunk {
  readonly chunk: StoredChunk
  /** Unpins the chunk; until then garbage collection leaves it alone. */
  readonly release: () => void
}

/**
 * Writes `source` to a temp file and files it as `expectedCid` only if its SHA-256 matches;
 * otherwise CHECKSUM_MISMATCH with nothing stored. An error from the source (a peer that
 * went silent, an abort) also leaves nothing behind, temp file included.
 */
export async function receiveChunk (store: ChunkReceiver, expectedCid: string, source: AsyncIterable<Uint8Array>): Promise<ReceivedChunk> {
  const writer = await store.createWriter()
  try {
    for await (const piece of source) await writer.write(piece)
  } catch (err) {
    await writer.abort().catch(() => {})
    throw err
  }
  return await store.commit(writer, { expectedCid })
}
