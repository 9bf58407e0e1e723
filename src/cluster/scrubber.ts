// The background scrub: every stored chunk is re-hashed now and then, at a bounded rate, so
// bit rot on a copy nobody reads is found before the other copies are needed. A chunk that
// fails is marked bad by the store's own check (openVerified) and then healed: a good copy is
// fetched from a peer over it (a bad copy is replaced by fresh bytes that match its id).
import type { ChunkRef } from '../files/file-service.js'

export interface ScrubberComponents {
  /** the chunks stored here (ok ones are checked) */
  localChunks: () => ReadonlyArray<{ readonly cid: string, readonly sizeBytes: number, readonly state: string }>
  /** re-hashes the chunk; throws CHUNK_CORRUPT (having marked it bad) if it does not match */
  verify: (cid: string, sizeBytes: number) => Promise<void>
  /** fetches a good copy from a peer over a bad one */
  heal: (chunk: ChunkRef) => Promise<void>
  /** waits, abortably */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  readonly signal: AbortSignal
  /** bytes per second checked at most, so serving is not starved */
  readonly bytesPerSecond: number
  logger: { info: (obj: object, msg?: string) => void, warn: (obj: object, msg?: string) => void }
}

export interface ScrubReport {
  readonly chunksChecked: number
  readonly bytesChecked: number
  readonly corrupt: number
  readonly healed: number
}

export class Scrubber {
  constructor (private readonly c: ScrubberComponents) {}

  /** one pass over every chunk stored here */
  async scrubOnce (): Promise<ScrubReport> {
    let chunksChecked = 0
    let bytesChecked = 0
    let corrupt = 0
    let healed = 0
    for (const row of this.c.localChunks()) {
      this.c.signal.throwIfAborted()
      if (row.state !== 'ok') continue
      const startedMs = Date.now()
      try {
        await this.c.verify(row.cid, row.sizeBytes)
      } catch (err) {
        if ((err as { code?: string }).code !== 'CHUNK_CORRUPT') {
          // gone meanwhile (collected), or the node is stopping: not damage
          if (this.c.signal.aborted) throw err
          continue
        }
        corrupt++
        this.c.logger.warn({ cid: row.cid, err: (err as Error).message }, 'scrub found a corrupt chunk; fetching a good copy')
        try {
          await this.c.heal({ cid: row.cid, sizeBytes: row.sizeBytes })
          healed++
        } catch (healErr) {
          this.c.logger.warn({ cid: row.cid, err: (healErr as Error).message }, 'no peer could supply a good copy of a corrupt chunk; it stays marked bad')
        }
      }
      chunksChecked++
      bytesChecked += row.sizeBytes
      // the rate limit: a chunk of n bytes takes at least n / bytesPerSecond seconds
      const minMs = (row.sizeBytes / this.c.bytesPerSecond) * 1000
      const tookMs = Date.now() - startedMs
      if (tookMs < minMs) await this.c.sleep(minMs - tookMs, this.c.signal)
    }
    const report = { chunksChecked, bytesChecked, corrupt, healed }
    this.c.logger.info(report, 'scrub pass finished')
    return report
  }
}
