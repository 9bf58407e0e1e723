// Who is out there, from heartbeats alone. A peer is alive while its last heartbeat is
// younger than suspectAfterMs, suspect until deadAfterMs, then dead; dead peers are
// forgotten after forgetAfterMs. Ages use our own clock at receipt, never the sender's
// timestamps, since clocks across machines disagree. The table is bounded.
import { assert } from '../../util/assert.js'

export type PeerState = 'alive' | 'suspect' | 'dead'

/** The ordering fields every heartbeat carries. */
export interface HeartbeatOrder {
  readonly startedAtMs: number
  readonly sequence: number
}

export interface PeerEntry<H extends HeartbeatOrder> {
  readonly peerId: string
  readonly state: PeerState
  /** Our clock when the latest heartbeat arrived. */
  readonly lastSeenMs: number
  readonly heartbeat: H
}

export interface PeerTransition {
  readonly peerId: string
  readonly from: PeerState | 'unknown'
  readonly to: PeerState | 'forgotten'
}

export interface PeerTableOptions {
  readonly suspectAfterMs: number
  readonly deadAfterMs: number
  readonly forgetAfterMs: number
  readonly maxPeers: number
  readonly nowMs: () => number
}

export type ObserveResult = 'new' | 'updated' | 'stale' | 'full'

interface MutableEntry<H extends HeartbeatOrder> {
  peerId: string
  state: PeerState
  lastSeenMs: number
  heartbeat: H
}

export class PeerTable<H extends HeartbeatOrder> {
  private readonly peers = new Map<string, MutableEntry<H>>()

  constructor (private readonly options: PeerTableOptions) {
    const { suspectAfterMs, deadAfterMs, forgetAfterMs, maxPeers } = options
    assert(suspectAfterMs > 0 && deadAfterMs > suspectAfterMs && forgetAfterMs > deadAfterMs, 'peer table thresholds must satisfy 0 < suspect < dead < forget', options)
    assert(Number.isSafeInteger(maxPeers) && maxPeers > 0, 'maxPeers must be a positive integer', options)
  }

  /**
   * Records a heartbeat. An older or repeated one (by start time, then sequence) is 'stale'
   * and does not count as a sign of life, so a replayed message cannot keep a peer alive.
   * A new peer when the table is full evicts the longest-dead peer, or is refused ('full').
   */
  observe (peerId: string, heartbeat: H): { result: ObserveResult, transition?: PeerTransition } {
    const now = this.options.nowMs()
    const entry = this.peers.get(peerId)
    if (entry !== undefined) {
      if (!isNewer(heartbeat, entry.heartbeat)) return { result: 'stale' }
      const from = entry.state
      entry.heartbeat = heartbeat
      entry.lastSeenMs = now
      entry.state = 'alive'
      return { result: 'updated', ...(from !== 'alive' ? { transition: { peerId, from, to: 'alive' } } : {}) }
    }
    if (this.peers.size >= this.options.maxPeers && !this.evictOneDead()) return { result: 'full' }
    this.peers.set(peerId, { peerId, state: 'alive', lastSeenMs: now, heartbeat })
    return { result: 'new', transition: { peerId, from: 'unknown', to: 'alive' } }
  }

  /** Re-evaluates every peer against the clock; call it on a timer. Returns what changed. */
  sweep (): PeerTransition[] {
    const now = this.options.nowMs()
    const transitions: PeerTransition[] = []
    for (const entry of this.peers.values()) {
      const ageMs = now - entry.lastSeenMs
      if (ageMs >= this.options.forgetAfterMs) {
        this.peers.delete(entry.peerId)
        transitions.push({ peerId: entry.peerId, from: entry.state, to: 'forgotten' })
        continue
      }
      const state = this.stateForAge(ageMs)
      if (state !== entry.state) {
        transitions.push({ peerId: entry.peerId, from: entry.state, to: state })
        entry.state = state
      }
    }
    return transitions
  }

  get (peerId: string): PeerEntry<H> | undefined {
    const entry = this.peers.get(peerId)
    return entry === undefined ? undefined : { ...entry }
  }

  list (state?: PeerState): Array<PeerEntry<H>> {
    return [...this.peers.values()].filter((e) => state === undefined || e.state === state).map((e) => ({ ...e }))
  }

  get size (): number {
    return this.peers.size
  }

  private stateForAge (ageMs: number): PeerState {
    if (ageMs < this.options.suspectAfterMs) return 'alive'
    if (ageMs < this.options.deadAfterMs) return 'suspect'
    return 'dead'
  }

  // Judges by age, not by the stored state, so that it does not depend on (or consume the
  // transitions of) a sweep.
  private evictOneDead (): boolean {
    const now = this.options.nowMs()
    let oldest: MutableEntry<H> | undefined
    for (const entry of this.peers.values()) {
      const dead = now - entry.lastSeenMs >= this.options.deadAfterMs
      if (dead && (oldest === undefined || entry.lastSeenMs < oldest.lastSeenMs)) oldest = entry
    }
    if (oldest === undefined) return false
    this.peers.delete(oldest.peerId)
    return true
  }
}

function isNewer (next: HeartbeatOrder, prev: HeartbeatOrder): boolean {
  if (next.startedAtMs !== prev.startedAtMs) return next.startedAtMs > prev.startedAtMs
  return next.sequence > prev.sequence
}
