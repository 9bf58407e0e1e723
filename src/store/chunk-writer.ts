// Writes one chunk to a temp file while hashing it. Small input pieces are copied into batch
// buffers so the disk sees ~1 MiB writes; large pieces go straight through.
//
// Writes are pipelined with the producer: a full batch is handed to a write chain (one write
// at a time, in order, so the file is appended exactly as with plain sequential writes) and
// the producer goes on hashing and filling the next batch meanwhile. Without this the hash of
// the next bytes and the network read waited for every write, so a put cost CPU time plus
// disk time instead of the larger of the two. Backpressure: at most maxBatches batch buffers
// exist per writer; when all are full or being written, write() waits for the oldest write,
// so memory stays at maxBatches × batchBytes however fast the source is.
import { createHash, type Hash } from 'node:crypto'
import { assert } from '../util/assert.js'
import type { WriteHandle } from './chunk-fs.js'
import { toStorageError } from './storage-error.js'

export const DEFAULT_WRITE_BATCH_BYTES = 1024 * 1024
/**
 * Batches per writer. Eight 1 MiB batches keep the disk busy through the producer's jitter
 * (a network read, a hash of the next piece) at 8 MiB per chunk being written.
 */
export const DEFAULT_WRITE_BATCHES = 8

/**
 * Batch buffers shared by the writers of one store: a put writes a chunk after another, and
 * allocating fresh batches for each chunk was 128 MiB of ArrayBuffer churn per GiB stored,
 * which the garbage collector pays for. Keeps at most maxIdle idle buffers.
 */
export class BatchPool {
  private readonly idle: Buffer[] = []
  constructor (readonly batchBytes: number, private readonly maxIdle = DEFAULT_WRITE_BATCHES) {}

  take (): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.batchBytes)
  }

  /** only for buffers no write references any more */
  give (buffers: readonly Buffer[]): void {
    for (const buffer of buffers) {
      if (this.idle.length >= this.maxIdle) return
      if (buffer.byteLength === this.batchBytes) this.idle.push(buffer)
    }
  }
}

export interface FinishedChunk {
  readonly tempPath: string
  readonly sha256: Uint8Array
  readonly sizeBytes: number
}

export class ChunkWriter {
  private readonly hash: Hash = createHash('sha256')
  /** the batch being filled, if any */
  private batch: Buffer | null = null
  private batchedBytes = 0
  /** batch buffers whose write finished, ready to be filled again */
  private readonly spareBatches: Buffer[] = []
  private allocatedBatches = 0
  /** handed to the write chain and not yet written, oldest first */
  private readonly queued: Array<Promise<void>> = []
  /** the last write in the chain; never rejects (a failure is kept in `failure`) */
  private tail: Promise<void> = Promise.resolve()
  private failure: Error | null = null
  private acceptedBytes = 0
  private writtenBytes = 0
  private state: 'open' | 'finished' | 'aborted' = 'open'
  private aborting: Promise<void> | null = null

  constructor (
    private readonly handle: WriteHandle,
    readonly tempPath: string,
    private readonly batchBytes: number,
    private readonly onDone: (writer: ChunkWriter) => Promise<void>,
    private readonly maxBatches = DEFAULT_WRITE_BATCHES,
    private readonly pool: BatchPool = new BatchPool(batchBytes, 0)
  ) {
    assert(batchBytes > 0, 'write batch must be positive', { batchBytes })
    assert(maxBatches >= 1, 'at least one write batch', { maxBatches })
  }

  get sizeBytes (): number {
    return this.acceptedBytes
  }

  async write (bytes: Uint8Array): Promise<void> {
    await this.throwIfWriteFailed()
    assert(this.state === 'open', 'write after finish/abort', { state: this.state })
    this.hash.update(bytes)
    this.acceptedBytes += bytes.byteLength
    if (bytes.byteLength >= this.batchBytes) {
      // the caller's buffer is only referenced until this write is done, so it is awaited
      this.queueBatch()
      await this.queueWrite(bytes, null)
      await this.throwIfWriteFailed()
      return
    }
    if (this.batch !== null && this.batchedBytes + bytes.byteLength > this.batchBytes) this.queueBatch()
    if (this.batch === null) {
      this.batch = await this.takeBatch()
      await this.throwIfWriteFailed()
    }
    this.batch.set(bytes, this.batchedBytes)
    this.batchedBytes += bytes.byteLength
  }

  /** flushes, fdatasyncs and closes the temp file; the caller then renames it into place */
  async finish (): Promise<FinishedChunk> {
    assert(this.state === 'open', 'finish twice or after abort', { state: this.state })
    this.queueBatch()
    await this.tail
    await this.throwIfWriteFailed()
    try {
      await this.handle.datasync()
      this.state = 'finished'
      await this.handle.close()
    } catch (err) {
      throw toStorageError(err, 'writing a chunk')
    } finally {
      // every write has completed (tail), so no batch is referenced any more
      this.pool.give(this.spareBatches)
      this.spareBatches.length = 0
    }
    return { tempPath: this.tempPath, sha256: this.hash.digest(), sizeBytes: this.writtenBytes }
  }

  /** closes (if open) and removes the temp file; safe to call in any state, and more than once */
  async abort (): Promise<void> {
    this.aborting ??= this.runAbort()
    await this.aborting
  }

  private async runAbort (): Promise<void> {
    const wasOpen = this.state === 'open'
    this.state = 'aborted'
    // a write still running must not meet a closed descriptor
    await this.tail
    if (this.batch !== null) this.spareBatches.push(this.batch)
    this.batch = null
    this.pool.give(this.spareBatches)
    this.spareBatches.length = 0
    if (wasOpen) await this.handle.close().catch(() => {})
    await this.onDone(this)
  }

  /** a failed write leaves nothing behind: the temp file goes now, not at the next sweep */
  private async throwIfWriteFailed (): Promise<void> {
    if (this.failure === null) return
    await this.abort().catch(() => {})
    throw this.failure
  }

  /** hands the batch being filled (if any) to the write chain */
  private queueBatch (): void {
    if (this.batch === null || this.batchedBytes === 0) return
    const batch = this.batch
    const filled = this.batchedBytes
    this.batch = null
    this.batchedBytes = 0
    void this.queueWrite(batch.subarray(0, filled), batch)
  }

  /** a spare batch, a new one while fewer than maxBatches exist, or the next one written */
  private async takeBatch (): Promise<Buffer> {
    while (true) {
      const spare = this.spareBatches.pop()
      if (spare !== undefined) return spare
      if (this.allocatedBatches < this.maxBatches) {
        this.allocatedBatches++
        return this.pool.take()
      }
      const oldest = this.queued[0]
      assert(oldest !== undefined, 'every batch is taken but none is being written')
      await oldest
    }
  }

  /** appends `bytes` after every write queued before; the promise never rejects */
  private async queueWrite (bytes: Uint8Array, batch: Buffer | null): Promise<void> {
    const written = this.tail.then(async () => {
      if (this.failure === null && this.state !== 'aborted') {
        try {
          await this.writeFully(bytes)
        } catch (err) {
          this.failure = toStorageError(err, 'writing a chunk')
        }
      }
      this.queued.shift()
      if (batch !== null && this.state === 'open') this.spareBatches.push(batch)
    })
    this.tail = written
    this.queued.push(written)
    await written
  }

  private async writeFully (bytes: Uint8Array): Promise<void> {
    let offset = 0
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.byteLength - offset)
      assert(bytesWritten > 0, 'write made no progress')
      offset += bytesWritten
    }
    this.writtenBytes += bytes.byteLength
  }
}
