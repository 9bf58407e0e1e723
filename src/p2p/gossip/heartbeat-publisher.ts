// Publishes this peer's heartbeat on a fixed interval. A failed publish is logged and the
// next tick tries again: a heartbeat is soft state, the next one supersedes it.
import { assert } from '../../util/assert.js'
import type { P2pLogger } from '../logger.js'
import type { ClusterGossip, HeartbeatStats } from './cluster-gossip.js'

export class HeartbeatPublisher {
  private timer: ReturnType<typeof setInterval> | undefined
  private inFlight = false

  constructor (
    private readonly gossip: Pick<ClusterGossip, 'publishHeartbeat'>,
    private readonly stats: () => HeartbeatStats,
    private readonly logger: P2pLogger
  ) {}

  start (intervalMs: number): void {
    assert(this.timer === undefined, 'HeartbeatPublisher started twice')
    assert(intervalMs > 0, 'heartbeat interval must be positive', { intervalMs })
    void this.tick()
    this.timer = setInterval(() => { void this.tick() }, intervalMs)
    // Heartbeats alone must not keep a process alive.
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Publishes one heartbeat; skipped if the previous one is still being sent. */
  async tick (): Promise<void> {
    if (this.inFlight) return
    this.inFlight = true
    try {
      await this.gossip.publishHeartbeat(this.stats())
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not publish a heartbeat')
    } finally {
      this.inFlight = false
    }
  }
}
