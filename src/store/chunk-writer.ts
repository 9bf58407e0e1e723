// Writes one chunk to a temp file while hashing it. Small input pieces are copied into one
// reusable batch buffer so the disk sees ~1 MiB writes; large pieces go straight through.
// Every write is awaited before the next piece is accepted, which is the backpressure: memory
// stays at one batch buffer however fast the source is.
import { createHash, type Hash } from 'node:crypto'
import { assert } from '../util/assert.js'
import type { WriteHandle } from './chunk-fs.js'
import { toStorageError } from './storage-error.js'

export const DEFAULT_WRITE_BATCH_BYTES = 1024 * 1024

export interface FinishedChunk {
  readonly tempPath: string
  readonly sha256: Uint8Array
  readonly sizeBytes: number
}

export class ChunkWriter {
  private readonly hash: Hash = createHash('sha256')
  private readonly batch: Buffer
  private batchedBytes = 0
  private writtenBytes = 0
  private state: 'open' | 'finished' | 'aborted' = 'open'

  constructor (
    private readonly handle: WriteHandle,
    readonly tempPath: string,
    batchBytes: number,
    private readonly onDone: (writer: ChunkWriter) => Promise<void>
  ) {
    assert(batchBytes > 0, 'write batch must be positive', { batchBytes })
    this.batch = Buffer.allocUnsafe(batchBytes)
  }

  get sizeBytes (): number {
    return this.writtenBytes + this.batchedBytes
  }

  async write (bytes: Uint8Array): Promise<void> {
    assert(this.state === 'open', 'write after finish/abort', { state: this.state })
    this.hash.update(bytes)
    if (bytes.byteLength >= this.batch.byteLength) {
      await this.flush()
      await this.writeFully(bytes)
      return
    }
    if (this.batchedBytes + bytes.byteLength > this.batch.byteLength) await this.flush()
    this.batch.set(bytes, this.batchedBytes)
    this.batchedBytes += bytes.byteLength
  }

  /** flushes, fdatasyncs and closes the temp file; the caller then renames it into place */
  async finish (): Promise<FinishedChunk> {
    assert(this.state === 'open', 'finish twice or after abort', { state: this.state })
    try {
      await this.flush()
      await this.handle.datasync()
      this.state = 'finished'
      await this.handle.close()
    } catch (err) {
      throw toStorageError(err, 'writing a chunk')
    }
    return { tempPath: this.tempPath, sha256: this.hash.digest(), sizeBytes: this.writtenBytes }
  }

  /** closes (if open) and removes the temp file; safe to call in any state */
  async abort (): Promise<void> {
    if (this.state === 'aborted') return
    const wasOpen = this.state === 'open'
    this.state = 'aborted'
    if (wasOpen) await this.handle.close().catch(() => {})
    await this.onDone(this)
  }

  private async flush (): Promise<void> {
    if (this.batchedBytes === 0) return
    const bytes = this.batch.subarray(0, this.batchedBytes)
    this.batchedBytes = 0
    await this.writeFully(bytes)
  }

  private async writeFully (bytes: Uint8Array): Promise<void> {
    let offset = 0
    try {
      while (offset < bytes.byteLength) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.byteLength - offset)
        assert(bytesWritten > 0, 'write made no progress')
        offset += bytesWritten
      }
    } catch (err) {
      // a failed write leaves nothing behind: the temp file goes now, not at the next sweep
      await this.abort().catch(() => {})
      throw toStorageError(err, 'writing a chunk')
    }
    this.writtenBytes += bytes.byteLength
  }
}
