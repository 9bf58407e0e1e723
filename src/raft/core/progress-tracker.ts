// The configuration (voters, learners) and, on the leader, a Progress per member (etcd's
// ProgressTracker). Also the votes of the current election.

import { assert } from '../../util/assert.js'
import type { ConfState, NodeId } from '../types.js'
import { Progress } from './progress.js'
import { hasQuorum, majorityCommitted, voteResult } from './quorum.js'
import type { VoteResult } from './quorum.js'

export class ProgressTracker {
  voters: NodeId[] = []
  learners: NodeId[] = []
  readonly progress = new Map<NodeId, Progress>()
  readonly votes = new Map<NodeId, boolean>()

  constructor (readonly maxInflightMsgs: number) {}

  confState (): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] }
  }

  /** replace the configuration; every member gets a fresh Progress (next = lastIndex + 1) */
  reset (cs: ConfState, lastIndex: number): void {
    const overlap = cs.voters.filter(id => cs.learners.includes(id))
    assert(overlap.length === 0, 'a node cannot be both voter and learner', cs)
    this.voters = [...cs.voters].sort()
    this.learners = [...cs.learners].sort()
    this.progress.clear()
    for (const id of this.voters) this.progress.set(id, new Progress(0, lastIndex + 1, this.maxInflightMsgs, false))
    for (const id of this.learners) this.progress.set(id, new Progress(0, lastIndex + 1, this.maxInflightMsgs, true))
  }

  isVoter (id: NodeId): boolean {
    return this.voters.includes(id)
  }

  isMember (id: NodeId): boolean {
    return this.progress.has(id)
  }

  /** the leader's commit candidate: largest index on a majority of voters */
  committed (): number {
    return majorityCommitted(this.voters, id => this.progress.get(id)?.match ?? 0)
  }

  recordVote (id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted)
  }

  tallyVotes (): VoteResult {
    return voteResult(this.voters, this.votes)
  }

  resetVotes (): void {
    this.votes.clear()
  }

  /** check-quorum (thesis §6.2): did a majority of voters talk to us this election timeout? */
  quorumActive (self: NodeId): boolean {
    return hasQuorum(this.voters, id => id === self || this.progress.get(id)?.recentActive === true)
  }

  /** members other than `self`, in a stable order (so message order is deterministic) */
  peers (self: NodeId): NodeId[] {
    return [...this.voters, ...this.learners].filter(id => id !== self)
  }
}
