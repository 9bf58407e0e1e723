// Raft §5.2 (Election Safety): at most one leader can be elected in a given term, over the
// whole run. Leaders are observed both from status() after every event and from the MsgApp /
// MsgHeartbeat / MsgSnap they send, so a leader that lived only between two observations is
// still seen.

import type { NodeId } from '../../types.js'
import { violation } from './violation.js'

export class ElectionSafetyChecker {
  private readonly leaderByTerm = new Map<number, NodeId>()

  observeLeader (term: number, id: NodeId): void {
    const known = this.leaderByTerm.get(term)
    if (known === undefined) {
      this.leaderByTerm.set(term, id)
      return
    }
    if (known !== id) violation('election-safety', `two leaders in term ${term}: ${known} and ${id}`, { term, leaders: [known, id] })
  }

  leaderOf (term: number): NodeId | undefined {
    return this.leaderByTerm.get(term)
  }
}
