// The machine's own ceilings for the same bytes, measured in the same run: SHA-256 (one core,
// streamed), a plain file write with fsync, and a plain read of that file. The node cannot
// beat these, so its figures are reported as ratios of them.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'

const BUFFER_BYTES = 1024 * 1024

export interface Ceilings {
  readonly sha256MBps: number
  readonly writeFsyncMBps: number
  readonly readMBps: number
}

export const mbPerSecond = (bytes: number, ms: number): number => (bytes / 1e6) / Math.max(ms / 1000, 1e-6)

export async function measureCeilings (sourcePath: string, scratchPath: string, sizeBytes: number): Promise<Ceilings> {
  let startedAtMs = performance.now()
  const hash = createHash('sha256')
  for await (const piece of createReadStream(sourcePath, { highWaterMark: BUFFER_BYTES })) hash.update(piece as Buffer)
  hash.digest()
  const sha256MBps = mbPerSecond(sizeBytes, performance.now() - startedAtMs)

  startedAtMs = performance.now()
  await pipeline(createReadStream(sourcePath, { highWaterMark: BUFFER_BYTES }), createWriteStream(scratchPath))
  const handle = await open(scratchPath, 'r')
  await handle.sync()
  await handle.close()
  const writeFsyncMBps = mbPerSecond(sizeBytes, performance.now() - startedAtMs)

  startedAtMs = performance.now()
  let readBytes = 0
  for await (const piece of createReadStream(scratchPath, { highWaterMark: BUFFER_BYTES })) readBytes += (piece as Buffer).length
  const readMBps = mbPerSecond(readBytes, performance.now() - startedAtMs)
  await rm(scratchPath, { force: true })
  return { sha256MBps, writeFsyncMBps, readMBps }
}
