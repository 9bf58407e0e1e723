// Raft §5.4.3 (State Machine Safety) and §5.4 (Leader Completeness), over one registry of
// every entry any node has shown to be committed: an index in a durable commit, an entry a
// state machine applied, or a write acknowledged to a client.
//
// - State machine safety: two nodes never commit or apply different entries at one index.
// - Leader completeness: an entry committed while the observer was in term c is in the log of
//   every leader of a term > c. The observer's term bounds the term the entry was committed in
//   from above, so the check is sound (never fires on a correct run) though slightly weaker
//   than the paper's statement. A leader's log never loses entries within its term, so each
//   (leader, term) is checked once per committed entry, via a cursor.

import type { RaftLogReader } from '../../storage.js'
import type { Entry, NodeId } from '../../types.js'
import { entryKey } from './entry-key.js'
import { violation } from './violation.js'

export type LogView = Pick<RaftLogReader, 'firstIndex' | 'lastIndex' | 'term'>

interface Committed {
  readonly index: number
  readonly term: number
  readonly key: string
  /** the observer's term when the commit was first seen: the entry was committed in a term ≤ this */
  readonly commitTerm: number
  readonly node: NodeId
  readonly how: string
}

export class CommittedLogChecker {
  private readonly byIndex = new Map<number, Committed>()
  private readonly inOrder: Committed[] = []
  private readonly leaderCursor = new Map<string, number>()

  /** how: 'commit' | 'apply' | 'ack', for the message only */
  observeCommitted (node: NodeId, entry: Entry, observerTerm: number, how: string): void {
    const key = entryKey(entry)
    const known = this.byIndex.get(entry.index)
    if (known === undefined) {
      const c: Committed = { index: entry.index, term: entry.term, key, commitTerm: observerTerm, node, how }
      this.byIndex.set(entry.index, c)
      this.inOrder.push(c)
      return
    }
    if (known.key !== key) {
      violation('state-machine-safety', `index ${entry.index}: ${known.node} ${known.how} an entry of term ${known.term}, ${node} ${how} a different entry of term ${entry.term}`, { index: entry.index })
    }
  }

  committedAt (index: number): { term: number, key: string } | undefined {
    return this.byIndex.get(index)
  }

  get size (): number {
    return this.inOrder.length
  }

  /** called for every node that is leader of `term`, with its durable log */
  checkLeader (node: NodeId, term: number, log: LogView): void {
    const cursorKey = `${node}@${term}`
    let i = this.leaderCursor.get(cursorKey) ?? 0
    const first = log.firstIndex()
    const last = log.lastIndex()
    for (; i < this.inOrder.length; i++) {
      const c = this.inOrder[i]!
      if (c.commitTerm >= term) continue
      // below the snapshot: compacted, so it was applied to the snapshot the leader holds
      if (c.index < first - 1) continue
      const have = c.index <= last ? log.term(c.index) : undefined
      if (have !== c.term) {
        violation('leader-completeness', `leader ${node} of term ${term} lacks index ${c.index} term ${c.term}, committed by term ${c.commitTerm} (seen on ${c.node} by ${c.how}); it has ${have === undefined ? 'nothing' : `term ${have}`} there`, { node, term, index: c.index })
      }
    }
    this.leaderCursor.set(cursorKey, i)
  }
}
