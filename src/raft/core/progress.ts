// What a leader knows about one peer's log (etcd's Progress), and the flow-control state machine:
//
//   probe     – next is a guess; send one MsgApp at a time, wait for its answer (after a reject)
//   replicate – follower is in sync; pipeline MsgApp optimistically, bounded by inflights
//   snapshot  – next is compacted; a snapshot is on its way, send nothing until it is reported
//
// Invariant: match < next (the follower has everything ≤ match, we send from next).

import { assert } from '../../util/assert.js'
import { Inflights } from './inflights.js'

export type ProgressState = 'probe' | 'replicate' | 'snapshot'

export class Progress {
  state: ProgressState = 'probe'
  /** in probe state: a MsgApp is outstanding, wait for its answer or a heartbeat response */
  probeSent = false
  /** index of the snapshot being sent, in snapshot state */
  pendingSnapshot = 0
  /** heard from this peer since the last check-quorum round (thesis §6.2) */
  recentActive = false
  readonly inflights: Inflights

  constructor (public match: number, public next: number, maxInflightMsgs: number, public isLearner: boolean) {
    this.inflights = new Inflights(maxInflightMsgs)
    this.checkInvariant()
  }

  private resetState (state: ProgressState): void {
    this.probeSent = false
    this.pendingSnapshot = 0
    this.state = state
    this.inflights.reset()
  }

  /** start over in probe state with the given match and next */
  resetTo (match: number, next: number): void {
    this.resetState('probe')
    this.match = match
    this.next = next
    this.checkInvariant()
  }

  becomeProbe (): void {
    // after a snapshot, the follower has at least the snapshot: probe right after it
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot
      this.resetState('probe')
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.resetState('probe')
      this.next = this.match + 1
    }
  }

  becomeReplicate (): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot (snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
  }

  /** an acknowledgement up to n; false if it is stale */
  maybeUpdate (n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.probeSent = false
    }
    this.next = Math.max(this.next, n + 1)
    this.checkInvariant()
    return updated
  }

  /**
   * A rejected MsgApp at index `rejected`; `matchHint` is the follower's hint of where the logs
   * may match (§5.3: decrement nextIndex and retry). False if the rejection is stale.
   */
  maybeDecrTo (rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      // stale: we already know the follower has rejected
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    // in probe state only the answer to the outstanding probe (at next-1) counts
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1)
    this.probeSent = false
    this.checkInvariant()
    return true
  }

  /** MsgApp carrying entries up to lastIndex was sent */
  sentEntries (lastIndex: number, entryCount: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        // pipelining: assume it arrives, and keep sending after it (§10.2.1)
        this.next = lastIndex + 1
        this.inflights.add(lastIndex)
      }
    } else if (this.state === 'probe') {
      this.probeSent = true
    } else {
      assert(false, 'sending entries in snapshot state', this.describe())
    }
  }

  isPaused (): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.full()
      case 'snapshot': return true
    }
  }

  describe (): Record<string, unknown> {
    return { state: this.state, match: this.match, next: this.next, probeSent: this.probeSent, pendingSnapshot: this.pendingSnapshot, inflight: this.inflights.count() }
  }

  private checkInvariant (): void {
    assert(this.match < this.next, 'progress must have match < next', this.describe())
  }
}
