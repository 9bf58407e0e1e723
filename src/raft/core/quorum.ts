// Majority arithmetic (§5.2, §5.3). Learners never appear here: only voters count (thesis §4.2.1).

import type { NodeId } from '../types.js'

export type VoteResult = 'won' | 'lost' | 'pending'

export function quorumSize (voterCount: number): number {
  return Math.floor(voterCount / 2) + 1
}

/**
 * The largest index stored on a majority of voters: sort the match indexes descending and take
 * the quorum-th. With no voters there is nothing to commit (0).
 */
export function majorityCommitted (voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0
  const matches = voters.map(matchOf).sort((a, b) => b - a)
  return matches[quorumSize(voters.length) - 1]!
}

/** granted/rejected so far → won once a majority granted, lost once a majority can no longer grant */
export function voteResult (voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won' // etcd: an empty config wins trivially (never campaigned on)
  let granted = 0
  let missing = 0
  for (const id of voters) {
    const v = votes.get(id)
    if (v === undefined) missing++
    else if (v) granted++
  }
  const q = quorumSize(voters.length)
  if (granted >= q) return 'won'
  if (granted + missing >= q) return 'pending'
  return 'lost'
}

/** does `acked` contain a majority of voters? (ReadIndex, check-quorum) */
export function hasQuorum (voters: readonly NodeId[], acked: (id: NodeId) => boolean): boolean {
  return voters.filter(acked).length >= quorumSize(voters.length)
}
