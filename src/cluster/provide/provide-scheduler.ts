// Announces the chunks this peer holds as DHT provider records, at a bounded rate. One provide
// per chunk does not scale by itself: Kubo's reprovider manages < 10k CIDs per 22 h, and a
// provide walks the DHT (many dials) — so instead of providing as fast as chunks arrive, provides
// draw from a token bucket (ratePerSecond, burst at most one second's worth), at most
// maxConcurrent at a time. New chunks go first, in arrival order; then the chunks whose last
// provide is older than reprovideIntervalMs, oldest first, so records are renewed before they
// expire. At the defaults (20/s) a full sweep of 1,000,000 chunks takes about 14 h: with the 12 h
// interval, a record is at most ~26 h old when renewed, within the 48 h other peers keep it
// (DHT_PROVIDER_VALIDITY_MS; a test checks the relation). The DHT is the slow path to a chunk anyway: placement and gossip are the
// fast one.
import type { P2pLogger } from '../../p2p/logger.js'
import { silentLogger } from '../../p2p/logger.js'
import { assert } from '../../util/assert.js'
import { RunLoop } from '../../util/run-loop.js'

export interface ProvideSchedulerInit {
  /** announces one chunk; rejects on failure, honours the signal */
  readonly provide: (cid: string, signal: AbortSignal) => Promise<void>
  readonly nowMs: () => number
  /** provides started per second at most, an integer; also the burst @default 20 */
  readonly ratePerSecond?: number
  /** provides in flight at most @default 4 */
  readonly maxConcurrent?: number
  /** renew a chunk's record once its last provide is this old @default 12 h */
  readonly reprovideIntervalMs?: number
  /** chunks tracked at most; adds past it are refused @default 1_000_000 */
  readonly maxTracked?: number
  /** one provide is given up (and retried later) after this long @default 60 s */
  readonly provideTimeoutMs?: number
  readonly logger?: P2pLogger
}

export interface ProvideStats {
  readonly tracked: number
  /** waiting for a first provide, or for a retry after a failure */
  readonly queued: number
  /** successful provides since start */
  readonly provided: number
  /** failed provides since start */
  readonly failed: number
}

export const DEFAULT_PROVIDE_RATE_PER_SECOND = 20
export const DEFAULT_MAX_CONCURRENT_PROVIDES = 4
export const DEFAULT_REPROVIDE_INTERVAL_MS = 12 * 60 * 60 * 1000
export const DEFAULT_MAX_TRACKED = 1_000_000
/**
 * A provide is a DHT query: with no peer in the routing table (a lone daemon, or every other
 * peer gone) it waits for one to appear, and a caller's signal replaces kad-dht's own query
 * timeout, so without this bound the provide workers would wait for good.
 */
export const DEFAULT_PROVIDE_TIMEOUT_MS = 60_000

interface Entry {
  readonly cid: string
  lastProvidedAtMs: number | undefined
  failures: number
  /** the tick a failure sent it back to the queue in: not retried within that tick */
  failedInTick: number
}

// Tokens are counted in thousandths so that refills (elapsed ms × rate per s / 1000) stay exact
// integers: with floats, ten refills of 0.3 sum to 2.9999... and a provide would be lost.
const TOKEN = 1000

export class ProvideScheduler {
  private readonly rate: number
  private readonly maxConcurrent: number
  private readonly reprovideIntervalMs: number
  private readonly maxTracked: number
  private readonly provideTimeoutMs: number
  private readonly logger: P2pLogger
  private readonly entries = new Map<string, Entry>()
  // both in insertion order: the queue is FIFO; `renew` is ordered by last provide (re-inserted
  // on each success), so its head is always the record closest to expiry
  private readonly queue = new Map<string, Entry>()
  private readonly renew = new Map<string, Entry>()
  private tokens = 0
  private lastRefillMs: number
  private tickNumber = 0
  private ticking = false
  private providedCount = 0
  private failedCount = 0
  private readonly loop: RunLoop

  constructor (private readonly init: ProvideSchedulerInit) {
    this.rate = init.ratePerSecond ?? DEFAULT_PROVIDE_RATE_PER_SECOND
    this.maxConcurrent = init.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_PROVIDES
    this.reprovideIntervalMs = init.reprovideIntervalMs ?? DEFAULT_REPROVIDE_INTERVAL_MS
    this.maxTracked = init.maxTracked ?? DEFAULT_MAX_TRACKED
    this.provideTimeoutMs = init.provideTimeoutMs ?? DEFAULT_PROVIDE_TIMEOUT_MS
    this.logger = init.logger ?? silentLogger
    assert(Number.isSafeInteger(this.rate) && this.rate > 0, 'ratePerSecond must be a positive integer', { ratePerSecond: this.rate })
    assert(Number.isSafeInteger(this.maxConcurrent) && this.maxConcurrent > 0, 'maxConcurrent must be a positive integer', { maxConcurrent: this.maxConcurrent })
    assert(this.reprovideIntervalMs > 0, 'reprovideIntervalMs must be positive', { reprovideIntervalMs: this.reprovideIntervalMs })
    assert(Number.isSafeInteger(this.maxTracked) && this.maxTracked > 0, 'maxTracked must be a positive integer', { maxTracked: this.maxTracked })
    // the bucket starts empty: no burst at startup, when every held chunk is added at once
    this.lastRefillMs = init.nowMs()
    this.loop = new RunLoop(async (signal) => await this.tick(signal), (err) => {
      this.logger.warn({ err: (err as Error).message }, 'provide tick failed')
    })
  }

  /** Tracks new chunks and queues them for a first provide. Known ones are skipped; past maxTracked, refused. */
  add (cids: Iterable<string>): { added: number, refused: number } {
    let added = 0
    let refused = 0
    for (const cid of cids) {
      if (this.entries.has(cid)) continue
      if (this.entries.size >= this.maxTracked) {
        refused++
        continue
      }
      const entry: Entry = { cid, lastProvidedAtMs: undefined, failures: 0, failedInTick: -1 }
      this.entries.set(cid, entry)
      this.queue.set(cid, entry)
      added++
    }
    if (refused > 0) this.logger.warn({ refused, maxTracked: this.maxTracked }, 'provide scheduler full: chunks left unannounced in the DHT')
    return { added, refused }
  }

  /** Stops tracking a chunk (deleted here): no more provides, including a retry of one in flight. */
  remove (cid: string): boolean {
    this.queue.delete(cid)
    this.renew.delete(cid)
    return this.entries.delete(cid)
  }

  /**
   * Starts as many provides as the tokens accrued since the last tick allow, maxConcurrent at a
   * time, and returns once they have ended (how many were started). A tick while one is running
   * does nothing.
   */
  async tick (signal: AbortSignal): Promise<number> {
    if (this.ticking) return 0
    this.ticking = true
    const tick = ++this.tickNumber
    try {
      const now = this.refill()
      let started = 0
      const worker = async (): Promise<void> => {
        while (this.tokens >= TOKEN && !signal.aborted) {
          const entry = this.takeNext(now, tick)
          if (entry === undefined) return
          this.tokens -= TOKEN
          started++
          await this.provideOne(entry, tick, signal)
        }
      }
      await Promise.all(Array.from({ length: this.maxConcurrent }, worker))
      return started
    } finally {
      this.ticking = false
    }
  }

  stats (): ProvideStats {
    return { tracked: this.entries.size, queued: this.queue.size, provided: this.providedCount, failed: this.failedCount }
  }

  /** Ticks every tickMs (after the previous tick ended) until stop(). */
  start (tickMs = 1000): void {
    this.loop.start(tickMs)
  }

  /** Aborts provides in flight (their chunks go back to the queue) and waits for them. */
  async stop (): Promise<void> {
    await this.loop.stop()
  }

  private refill (): number {
    const now = this.init.nowMs()
    // a clock that stepped back adds nothing and restarts the count from here
    const elapsedMs = Math.max(0, now - this.lastRefillMs)
    this.lastRefillMs = now
    this.tokens = Math.min(this.rate * TOKEN, this.tokens + Math.floor(elapsedMs * this.rate))
    return now
  }

  private takeNext (now: number, tick: number): Entry | undefined {
    const queued = first(this.queue)
    // the queue's tail holds this tick's failures: reaching one means the rest are too
    if (queued !== undefined && queued.failedInTick !== tick) {
      this.queue.delete(queued.cid)
      return queued
    }
    const oldest = first(this.renew)
    if (oldest !== undefined && now - (oldest.lastProvidedAtMs ?? 0) >= this.reprovideIntervalMs) {
      this.renew.delete(oldest.cid)
      return oldest
    }
    return undefined
  }

  private async provideOne (entry: Entry, tick: number, signal: AbortSignal): Promise<void> {
    try {
      await this.init.provide(entry.cid, AbortSignal.any([signal, AbortSignal.timeout(this.provideTimeoutMs)]))
    } catch (err) {
      if (this.entries.get(entry.cid) !== entry) return // removed meanwhile
      if (!signal.aborted) {
        entry.failures++
        entry.failedInTick = tick
        this.failedCount++
        this.logger.debug({ cid: entry.cid, failures: entry.failures, err: (err as Error).message }, 'provide failed')
      }
      this.queue.set(entry.cid, entry)
      return
    }
    if (this.entries.get(entry.cid) !== entry) return
    entry.lastProvidedAtMs = this.init.nowMs()
    this.renew.set(entry.cid, entry)
    this.providedCount++
  }
}

function first<V> (map: Map<string, V>): V | undefined {
  for (const value of map.values()) return value
  return undefined
}
