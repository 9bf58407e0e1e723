// Tells the cluster which chunks this peer now holds: gossip 'stored' events, batched once a
// second (soft state for the other peers' location caches), and DHT provider records through
// the rate-limited provide scheduler (the locator of record).
import { CID } from 'multiformats/cid'

export interface ChunkAnnouncerComponents {
  publishStored: (cids: readonly CID[]) => Promise<void>
  provide: (cids: readonly string[]) => void
  logger: { debug: (obj: object, msg?: string) => void }
}

/** ids waiting for the next gossip flush; past this, the oldest are dropped (gossip is soft) */
export const MAX_PENDING_ANNOUNCEMENTS = 10_000

export class ChunkAnnouncer {
  private pending: string[] = []
  private timer: ReturnType<typeof setInterval> | undefined
  private flushing = false

  constructor (private readonly c: ChunkAnnouncerComponents) {}

  start (intervalMs: number): void {
    this.timer = setInterval(() => { void this.flush() }, intervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  announce (cid: string): void {
    this.c.provide([cid])
    this.pending.push(cid)
    if (this.pending.length > MAX_PENDING_ANNOUNCEMENTS) this.pending.splice(0, this.pending.length - MAX_PENDING_ANNOUNCEMENTS)
  }

  async flush (): Promise<void> {
    if (this.flushing || this.pending.length === 0) return
    this.flushing = true
    const batch = [...new Set(this.pending)]
    this.pending = []
    try {
      await this.c.publishStored(batch.map((cid) => CID.parse(cid)))
    } catch (err) {
      // no subscribers yet is the usual cause; the DHT records still locate the chunks
      this.c.logger.debug({ err: (err as Error).message, chunks: batch.length }, 'could not gossip stored chunks')
    } finally {
      this.flushing = false
    }
  }
}
