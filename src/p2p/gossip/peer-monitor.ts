// Feeds received heartbeats into a PeerTable and sweeps it on an interval, reporting each
// state change (alive, suspect, dead, forgotten) to the caller.
import { assert } from '../../util/assert.js'
import type { ClusterGossip } from './cluster-gossip.js'
import { DEAD_AFTER_MS, FORGET_AFTER_MS, HEARTBEAT_INTERVAL_MS, MAX_TRACKED_PEERS, SUSPECT_AFTER_MS } from './heartbeat-timing.js'
import { PeerTable } from './peer-table.js'
import type { PeerTableOptions, PeerTransition } from './peer-table.js'
import type { ReceivedHeartbeat } from './validate.js'

export interface PeerMonitorOptions extends Partial<Omit<PeerTableOptions, 'nowMs'>> {
  readonly nowMs: () => number
  readonly onTransition?: (transition: PeerTransition) => void
}

export class PeerMonitor {
  readonly table: PeerTable<ReceivedHeartbeat>
  private readonly onTransition: (transition: PeerTransition) => void
  private unsubscribe: (() => void) | undefined
  private timer: ReturnType<typeof setInterval> | undefined

  constructor (private readonly gossip: Pick<ClusterGossip, 'onHeartbeat'>, options: PeerMonitorOptions) {
    this.table = new PeerTable<ReceivedHeartbeat>({
      suspectAfterMs: options.suspectAfterMs ?? SUSPECT_AFTER_MS,
      deadAfterMs: options.deadAfterMs ?? DEAD_AFTER_MS,
      forgetAfterMs: options.forgetAfterMs ?? FORGET_AFTER_MS,
      maxPeers: options.maxPeers ?? MAX_TRACKED_PEERS,
      nowMs: options.nowMs
    })
    this.onTransition = options.onTransition ?? (() => {})
  }

  /** Starts listening; sweeps every sweepIntervalMs (by default, once per heartbeat interval). */
  start (sweepIntervalMs: number = HEARTBEAT_INTERVAL_MS): void {
    assert(this.unsubscribe === undefined, 'PeerMonitor started twice')
    this.unsubscribe = this.gossip.onHeartbeat((hb) => {
      const { transition } = this.table.observe(hb.peerId.toString(), hb)
      if (transition !== undefined) this.onTransition(transition)
    })
    this.timer = setInterval(() => { this.sweep() }, sweepIntervalMs)
    this.timer.unref()
  }

  stop (): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    clearInterval(this.timer)
    this.timer = undefined
  }

  sweep (): PeerTransition[] {
    const transitions = this.table.sweep()
    for (const t of transitions) this.onTransition(t)
    return transitions
  }
}
