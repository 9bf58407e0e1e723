// Pseudo-random test files written by streaming (never held whole in memory), with their
// SHA-256, and the SHA-256 of any file by streaming.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'

const PIECE_BYTES = 1024 * 1024

export async function writeRandomFile (filePath: string, sizeBytes: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(filePath)
  let left = sizeBytes
  while (left > 0) {
    const piece = randomBytes(Math.min(PIECE_BYTES, left))
    hash.update(piece)
    left -= piece.length
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
  return hash.digest('hex')
}

export async function sha256File (filePath: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const piece of createReadStream(filePath, { highWaterMark: PIECE_BYTES })) hash.update(piece as Buffer)
  return hash.digest('hex')
}
