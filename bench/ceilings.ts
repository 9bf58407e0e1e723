// The machine's own ceilings for the same bytes, measured in the same run: SHA-256 (one core,
// streamed), a plain file write with the store's fsync discipline, and a plain read of that
// file, plus the write + read round trip (bytes / (write time + read time)). The node cannot
// beat these, so its figures are reported as ratios of them.
//
// Fairness: the write ceiling writes the same number of bytes in 1 MiB pieces and fdatasyncs
// after every chunk-size run of bytes (and at the end), as the store fdatasyncs each chunk
// file before renaming it. It does not rename or fsync a directory per chunk, which the store
// does; those are metadata syncs the store adds on top. The read ceiling reads the file just
// written, so like the store's get it is normally served from the page cache.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'

const BUFFER_BYTES = 1024 * 1024

export interface Ceilings {
  readonly sha256MBps: number
  readonly writeFsyncMBps: number
  readonly readMBps: number
  /** bytes / (write+fsync time + read time): "plain file write + read of the same bytes" */
  readonly writeReadMBps: number
}

export const mbPerSecond = (bytes: number, ms: number): number => (bytes / 1e6) / Math.max(ms / 1000, 1e-6)

export async function measureCeilings (sourcePath: string, scratchPath: string, sizeBytes: number, syncEveryBytes: number): Promise<Ceilings> {
  let startedAtMs = performance.now()
  const hash = createHash('sha256')
  for await (const piece of createReadStream(sourcePath, { highWaterMark: BUFFER_BYTES })) hash.update(piece as Buffer)
  hash.digest()
  const sha256MBps = mbPerSecond(sizeBytes, performance.now() - startedAtMs)

  startedAtMs = performance.now()
  const out = await open(scratchPath, 'w')
  try {
    let unsyncedBytes = 0
    for await (const piece of createReadStream(sourcePath, { highWaterMark: BUFFER_BYTES })) {
      const bytes = piece as Buffer
      let offset = 0
      while (offset < bytes.length) offset += (await out.write(bytes, offset, bytes.length - offset)).bytesWritten
      unsyncedBytes += bytes.length
      if (unsyncedBytes >= syncEveryBytes) {
        await out.datasync()
        unsyncedBytes = 0
      }
    }
    if (unsyncedBytes > 0) await out.datasync()
  } finally {
    await out.close()
  }
  const writeMs = performance.now() - startedAtMs

  startedAtMs = performance.now()
  let readBytes = 0
  for await (const piece of createReadStream(scratchPath, { highWaterMark: BUFFER_BYTES })) readBytes += (piece as Buffer).length
  const readMs = performance.now() - startedAtMs
  await rm(scratchPath, { force: true })
  if (readBytes !== sizeBytes) throw new Error(`the read ceiling read ${readBytes} of ${sizeBytes} bytes`)
  return {
    sha256MBps,
    writeFsyncMBps: mbPerSecond(sizeBytes, writeMs),
    readMBps: mbPerSecond(sizeBytes, readMs),
    writeReadMBps: mbPerSecond(sizeBytes, writeMs + readMs)
  }
}
