// The narrow slice of the file system the chunk write path uses. Injected so tests can make a
// write fail the way a full disk does (ENOSPC) without needing a tiny mounted file system.
import { open } from 'node:fs/promises'

export interface WriteHandle {
  write (buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>
  datasync (): Promise<void>
  close (): Promise<void>
}

export interface ChunkFs {
  /** creates a new file; fails if it exists */
  createExclusive (path: string): Promise<WriteHandle>
}

export function nodeChunkFs (): ChunkFs {
  return {
    createExclusive: async (path) => await open(path, 'wx', 0o644)
  }
}
