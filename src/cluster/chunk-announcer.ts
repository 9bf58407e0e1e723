// Tells the cluster which chunks this peer holds: gossip 'stored' and 'deleted' events, batched once a
// second (soft state for the other peers' location caches), and DHT provider records through
// the rate-limited provide scheduler (the locator of record).
import { CID } from 'multiformats/cid'

export interface ChunkAnnouncerComponents {
  publishStored: (cids: readonly CID[]) => Promise<void>
  publishDeleted: (cids: readonly CID[]) => Promise<void>
  provide: (cids: readonly string[]) => void
  /** stop providing (re-providing) a chunk no longer stored here */
  unprovide: (cid: string) => void
  logger: { debug: (obj: object, msg?: string) => void }
}

/** ids waiting for the next gossip flush; past this, the oldest are dropped (gossip is soft) */
export const MAX_PENDING_ANNOUNCEMENTS = 10_000

export class ChunkAnnouncer {
  private pending: string[] = []
  private pendingDeleted: string[] = []
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

  announceDeleted (cid: string): void {
    this.c.unprovide(cid)
    this.pending = this.pending.filter((c) => c !== cid)
    this.pendingDeleted.push(cid)
    if (this.pendingDeleted.length > MAX_PENDING_ANNOUNCEMENTS) this.pendingDeleted.splice(0, this.pendingDeleted.length - MAX_PENDING_ANNOUNCEMENTS)
  }

  async flush (): Promise<void> {
    if (this.flushing || (this.pending.length === 0 && this.pendingDeleted.length === 0)) return
    this.flushing = true
    const stored = [...new Set(this.pending)]
    const deleted = [...new Set(this.pendingDeleted)]
    this.pending = []
    this.pendingDeleted = []
    try {
      if (stored.length > 0) await this.c.publishStored(stored.map((cid) => CID.parse(cid)))
      if (deleted.length > 0) await this.c.publishDeleted(deleted.map((cid) => CID.parse(cid)))
    } catch (err) {
      // no subscribers yet is the usual cause; the DHT records still locate the chunks
      this.c.logger.debug({ err: (err as Error).message, chunks: stored.length + deleted.length }, 'could not gossip chunk events')
    } finally {
      this.flushing = false
    }
  }
}
