// The data dir's file system: how much is free for an unprivileged writer and how large it is.
import { statfs } from 'node:fs/promises'
import { toStorageError } from './storage-error.js'

export interface DiskSpace {
  /** bytes a process without root may still write (bavail, not bfree) */
  readonly freeBytes: number
  readonly totalBytes: number
}

export async function readDiskSpace (dir: string): Promise<DiskSpace> {
  try {
    const disk = await statfs(dir)
    return { freeBytes: disk.bavail * disk.bsize, totalBytes: disk.blocks * disk.bsize }
  } catch (err) {
    throw toStorageError(err, 'reading disk usage')
  }
}
