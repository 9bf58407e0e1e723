// Pays the replication debt recorded in the ReplicationQueue: for each due chunk it picks the
// missing holders by rendezvous placement over the live peers (so every peer would pick the same
// ones), pushes the chunk to them with bounded concurrency, and records each new holder as soon as
// its push succeeds. A row is removed once it has its copies; otherwise it is retried with the
// queue's backoff — including when there are too few live peers, so the debt is paid once peers
// appear. This peer is a holder of every chunk it still has (the writer keeps the first copy); a
// chunk it no longer has (deleted and collected) cannot be copied from here and its row is dropped.
import type { P2pLogger } from '../../p2p/logger.js'
import { silentLogger } from '../../p2p/logger.js'
import { assert } from '../../util/assert.js'
import { choosePeers, type PlacementPeer } from '../placement/rendezvous.js'
import { RunLoop } from '../../util/run-loop.js'
import type { DebtRow, ReplicationQueue } from './replication-queue.js'

export type ReplicationQueueLike = Pick<ReplicationQueue, 'due' | 'addHolder' | 'remove' | 'retryLater'>
export type PushResult = 'stored' | 'already-had'

export interface ReplicatorComponents {
  readonly queue: ReplicationQueueLike
  readonly selfId: string
  /** alive peers from heartbeats, weighted by free bytes; this peer may be listed or not */
  readonly livePeers: () => readonly PlacementPeer[]
  readonly holdsLocally: (cid: string) => boolean
  /** copies the local chunk to the peer; rejects on failure, honours the signal */
  readonly push: (peerId: string, cid: string, signal: AbortSignal) => Promise<PushResult>
  readonly nowMs: () => number
  readonly logger?: P2pLogger
  /** pushes in flight at most, over all chunks @default 4 */
  readonly maxConcurrentPushes?: number
  /** due rows taken per round @default 64 */
  readonly batchSize?: number
}

export interface ReplicatorRound {
  /** due rows looked at */
  readonly rows: number
  /** rows removed because they reached their copies */
  readonly paid: number
  /** rows removed because the chunk is no longer held here */
  readonly dropped: number
  /** rows left for a later round (too few peers, a failed push) */
  readonly retried: number
  /** pushes that left a copy on the peer ('stored' or 'already-had') */
  readonly pushed: number
  /** pushes that failed (aborted ones are not counted) */
  readonly failedPushes: number
}

type RoundCounts = { -readonly [K in keyof ReplicatorRound]: number }

export const DEFAULT_MAX_CONCURRENT_PUSHES = 4
export const DEFAULT_BATCH_SIZE = 64

export class Replicator {
  private readonly logger: P2pLogger
  private readonly maxConcurrentPushes: number
  private readonly batchSize: number
  private readonly loop: RunLoop

  constructor (private readonly components: ReplicatorComponents) {
    this.logger = components.logger ?? silentLogger
    this.maxConcurrentPushes = components.maxConcurrentPushes ?? DEFAULT_MAX_CONCURRENT_PUSHES
    this.batchSize = components.batchSize ?? DEFAULT_BATCH_SIZE
    assert(Number.isSafeInteger(this.maxConcurrentPushes) && this.maxConcurrentPushes > 0, 'maxConcurrentPushes must be a positive integer', { maxConcurrentPushes: this.maxConcurrentPushes })
    assert(Number.isSafeInteger(this.batchSize) && this.batchSize > 0, 'batchSize must be a positive integer', { batchSize: this.batchSize })
    this.loop = new RunLoop(async (signal) => await this.runOnce(signal), (err) => {
      this.logger.warn({ err: (err as Error).message }, 'replication round failed')
    })
  }

  /** Runs rounds every intervalMs (after the previous one ended) until stop(). */
  start (intervalMs: number): void {
    this.loop.start(intervalMs)
  }

  /** Aborts pushes in flight and waits for the round to end. */
  async stop (): Promise<void> {
    await this.loop.stop()
  }

  /** One round over the due rows. An aborted round leaves unfinished rows due, as they were. */
  async runOnce (signal: AbortSignal): Promise<ReplicatorRound> {
    const { queue, selfId } = this.components
    const rows = queue.due(this.components.nowMs(), this.batchSize)
    const round: RoundCounts = { rows: rows.length, paid: 0, dropped: 0, retried: 0, pushed: 0, failedPushes: 0 }
    if (rows.length === 0) return round
    const peers = this.components.livePeers().filter((p) => p.peerId !== selfId)
    // alone, nothing can be paid: leave the rows as they are rather than rewrite (and fsync)
    // every one of them with a new retry time, round after round, on a one-peer cluster
    if (peers.length === 0) return round
    const slots = new Slots(this.maxConcurrentPushes)
    await Promise.all(rows.map(async (row) => {
      try {
        await this.payRow(row, peers, slots, signal, round)
      } catch (err) {
        // a queue write failed (disk): the row stays as it was and comes due again
        this.logger.warn({ cid: row.cid, err: (err as Error).message }, 'could not update the replication queue')
      }
    }))
    if (round.paid + round.dropped + round.pushed + round.failedPushes > 0) this.logger.debug(round, 'replication round')
    return round
  }

  private async payRow (row: DebtRow, peers: readonly PlacementPeer[], slots: Slots, signal: AbortSignal, round: RoundCounts): Promise<void> {
    const { queue, selfId } = this.components
    const { cid } = row
    if (!this.components.holdsLocally(cid)) {
      queue.remove(cid)
      round.dropped++
      this.logger.warn({ cid, holders: row.holders, wantCopies: row.wantCopies }, 'dropped replication debt: the chunk is no longer held here, nothing to copy from')
      return
    }
    const holders = new Set(row.holders)
    if (!holders.has(selfId)) {
      holders.add(selfId)
      queue.addHolder(cid, selfId)
    }
    const targets = choosePeers(cid, peers, Math.max(0, row.wantCopies - holders.size), holders)
    // allSettled: every push of the row has ended before the row (and the round) is over
    const settled = await Promise.allSettled(targets.map(async (peerId) => {
      await slots.acquire()
      try {
        if (signal.aborted) return
        await this.components.push(peerId, cid, signal)
      } catch (err) {
        if (!signal.aborted) {
          round.failedPushes++
          this.logger.debug({ cid, peerId, err: (err as Error).message }, 'replication push failed')
        }
        return
      } finally {
        slots.release()
      }
      round.pushed++
      holders.add(peerId)
      queue.addHolder(cid, peerId)
    }))
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason
    if (holders.size >= row.wantCopies) {
      queue.remove(cid)
      round.paid++
    } else if (!signal.aborted) {
      queue.retryLater(cid, this.components.nowMs())
      round.retried++
    }
  }
}

/** A counting semaphore: at most `free` holders at once, waiters served in order. */
class Slots {
  private readonly waiters: Array<() => void> = []

  constructor (private free: number) {}

  async acquire (): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  release (): void {
    const next = this.waiters.shift()
    if (next !== undefined) next()
    else this.free++
  }
}
