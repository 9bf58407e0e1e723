// Per node, across crashes and restarts, from the durable hard state (what a restart recovers):
// the term never decreases (Raft §5.1), the commit index never decreases, and a node never
// votes for two candidates in one term (§5.2, "each server will vote for at most one candidate
// in a given term") — including forgetting a vote, which is how double votes happen.

import type { HardState, NodeId } from '../../types.js'
import { violation } from './violation.js'

export class HardStateChecker {
  private readonly last = new Map<NodeId, HardState>()
  private readonly votes = new Map<string, NodeId>()

  observe (node: NodeId, hs: HardState): void {
    const prev = this.last.get(node)
    if (prev !== undefined) {
      if (prev === hs) return
      if (hs.term < prev.term) violation('monotonic-term', `${node}: durable term went from ${prev.term} to ${hs.term}`, { node, prev, next: hs })
      if (hs.commit < prev.commit) violation('monotonic-commit', `${node}: durable commit went from ${prev.commit} to ${hs.commit}`, { node, prev, next: hs })
      if (hs.term === prev.term && prev.vote !== '' && hs.vote !== prev.vote) {
        violation('one-vote-per-term', `${node}: vote in term ${hs.term} changed from ${prev.vote} to ${hs.vote === '' ? 'nobody' : hs.vote}`, { node, prev, next: hs })
      }
    }
    if (hs.vote !== '') {
      const voteKey = `${node}@${hs.term}`
      const known = this.votes.get(voteKey)
      if (known === undefined) this.votes.set(voteKey, hs.vote)
      else if (known !== hs.vote) violation('one-vote-per-term', `${node} voted for ${known} and for ${hs.vote} in term ${hs.term}`, { node, term: hs.term })
    }
    this.last.set(node, hs)
  }
}
