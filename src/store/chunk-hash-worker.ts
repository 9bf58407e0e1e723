// Worker thread side of ChunkHashWorker: hashes an open chunk file, given its descriptor, with
// positional reads through one reused buffer, and answers with its size and SHA-256. The
// descriptor stays owned (and closed) by the main thread.
import { createHash } from 'node:crypto'
import { readSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import { READ_PIECE_BYTES } from './chunk-verify.js'

export interface HashJob { readonly fd: number }
export type HashAnswer =
  | { readonly ok: true, readonly sizeBytes: number, readonly sha256: Uint8Array }
  | { readonly ok: false, readonly message: string, readonly code: string | undefined }

const scratch = Buffer.allocUnsafe(READ_PIECE_BYTES)

parentPort?.on('message', (job: HashJob) => {
  let answer: HashAnswer
  try {
    const hash = createHash('sha256')
    let position = 0
    while (true) {
      const bytesRead = readSync(job.fd, scratch, 0, scratch.byteLength, position)
      if (bytesRead === 0) break
      hash.update(scratch.subarray(0, bytesRead))
      position += bytesRead
    }
    answer = { ok: true, sizeBytes: position, sha256: hash.digest() }
  } catch (err) {
    answer = { ok: false, message: (err as Error).message, code: (err as NodeJS.ErrnoException).code }
  }
  parentPort?.postMessage(answer)
})
