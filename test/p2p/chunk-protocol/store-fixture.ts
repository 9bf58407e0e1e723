// A real chunk store (chunk files + SQLite index) in a temp dir, as a node would build it,
// for the chunk protocol tests. `fs` lets a test make writes fail the way a full disk does.
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ChunkProtocolStore } from '../../../src/p2p/protocols/chunk/local-chunk.js'
import type { ChunkFs } from '../../../src/store/chunk-fs.js'
import { ChunkFileStore } from '../../../src/store/chunk-file-store.js'
import { ChunkIndex } from '../../../src/store/chunk-index.js'
import { ChunkStore } from '../../../src/store/chunk-store.js'
import { openDatabase } from '../../../src/store/database.js'
import { KeyedLock } from '../../../src/store/keyed-lock.js'
import { PinSet } from '../../../src/store/pin-set.js'
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js'

export const MIB = 1024 * 1024

export interface TestStore extends ChunkProtocolStore {
  readonly dir: string
  readonly files: ChunkFileStore
  readonly chunks: ChunkStore
  readonly index: ChunkIndex
  /** Stores bytes through the normal write path and returns their chunk id. */
  put: (bytes: Uint8Array) => Promise<string>
  /** The stored bytes of a chunk, read back through the verified read. */
  readBack: (cid: string) => Promise<Buffer>
  /** Chunk files and temp files on disk, whatever the index says. */
  chunkFileCount: () => Promise<number>
  tempFileCount: () => Promise<number>
  close: () => Promise<void>
}

export async function openTestStore (label: string, fs?: ChunkFs): Promise<TestStore> {
  const dir = await makeTempDir(`chunk-protocol-${label}`)
  const files = new ChunkFileStore({ dataDir: dir, ...(fs === undefined ? {} : { fs }) })
  await files.init()
  const db = openDatabase(join(dir, 'meta.sqlite'))
  const index = new ChunkIndex(db)
  const chunks = new ChunkStore({ files, index, lock: new KeyedLock(), pins: new PinSet(), nowMs: Date.now })
  return {
    dir,
    files,
    chunks,
    index,
    put: async (bytes) => {
      const writer = await chunks.createWriter()
      await writer.write(bytes)
      const { chunk, release } = await chunks.commit(writer)
      release()
      return chunk.cid
    },
    readBack: async (cid) => {
      const handle = await chunks.openVerified(cid, null, Buffer.alloc(MIB))
      try {
        return await readFile(handle)
      } finally {
        await handle.close()
      }
    },
    chunkFileCount: async () => {
      let count = 0
      for (const fanOut of await readdir(files.chunksDir)) count += (await readdir(join(files.chunksDir, fanOut))).length
      return count
    },
    tempFileCount: async () => (await readdir(files.tmpDir)).length,
    close: async () => {
      db.close()
      await removeTempDir(dir)
    }
  }
}

export function randomChunk (sizeBytes: number): Buffer {
  return randomBytes(sizeBytes)
}
