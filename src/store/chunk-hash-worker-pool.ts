// Re-hashing chunk files off the main thread. A download re-hashes every chunk before serving
// it; done on the main thread, that hash (about half of a download's CPU time) and the serving
// of the previous chunk take turns on one core. With the hash in a worker the read pipeline
// verifies the next chunk while the main thread streams the current one.
//
// One worker, used only when idle: a caller that finds it busy hashes on its own thread
// instead (tryHash returns null), so concurrent downloads spread over both threads and never
// queue behind each other. The worker is started on first use and does not keep the process
// alive.
import { Worker } from 'node:worker_threads'
import { JadfsError } from '../errors.js'
import type { HashAnswer, HashJob } from './chunk-hash-worker.js'

export interface FileDigest {
  readonly sizeBytes: number
  readonly sha256: Uint8Array
}

export class ChunkHashWorkerPool {
  private worker: Worker | null = null
  private pending: { resolve: (d: FileDigest) => void, reject: (err: Error) => void } | null = null
  private closed = false
  /** set when the worker could not run; everything is then hashed inline */
  private broken = false

  /** hashes the open file `fd` in the worker, or null if the worker is busy or unavailable */
  tryHash (fd: number): Promise<FileDigest> | null {
    if (this.pending !== null || this.closed || this.broken) return null
    const worker = this.worker ?? this.start()
    if (worker === null) return null
    return new Promise<FileDigest>((resolve, reject) => {
      this.pending = { resolve, reject }
      worker.postMessage({ fd } satisfies HashJob)
    })
  }

  async close (): Promise<void> {
    this.closed = true
    const worker = this.worker
    this.worker = null
    this.fail(new JadfsError('SHUTTING_DOWN', 'the node is stopping; a chunk check was cut short'))
    if (worker !== null) await worker.terminate()
  }

  private start (): Worker | null {
    let worker: Worker
    try {
      worker = new Worker(new URL('./chunk-hash-worker.js', import.meta.url))
    } catch {
      this.broken = true
      return null
    }
    worker.unref()
    worker.on('message', (answer: HashAnswer) => {
      const pending = this.pending
      this.pending = null
      if (pending === null) return
      if (answer.ok) pending.resolve({ sizeBytes: answer.sizeBytes, sha256: answer.sha256 })
      else pending.reject(Object.assign(new Error(answer.message), { code: answer.code }))
    })
    worker.on('error', (err) => {
      this.broken = true
      this.fail(err)
    })
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null
      this.fail(new Error('the chunk hash worker exited'))
    })
    this.worker = worker
    return worker
  }

  private fail (err: Error): void {
    const pending = this.pending
    this.pending = null
    pending?.reject(err)
  }
}
