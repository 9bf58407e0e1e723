// Raft §5.3 (Log Matching): if two logs contain an entry with the same index and term, the
// logs are identical in all entries up through that index. Checked across every node's durable
// log and across time by remembering, for each (index, term) ever stored, the entry's value and
// the term of the entry before it: two logs agreeing on (i, t) must then agree on (i-1, t'),
// and by induction on the whole prefix. Terms must also never decrease along a log.

import type { Entry, NodeId } from '../../types.js'
import { entryKey } from './entry-key.js'
import { violation } from './violation.js'

interface Seen { readonly key: string, readonly prevTerm: number | undefined, readonly node: NodeId }

export class LogMatchingChecker {
  private readonly seen = new Map<string, Seen>()

  /**
   * entries: a contiguous run of one node's durable log; prevTerm: the term of the entry just
   * before entries[0] (the snapshot term at the log's start), undefined when not known.
   */
  observeEntries (node: NodeId, prevTerm: number | undefined, entries: readonly Entry[]): void {
    let prev = prevTerm
    let expectedIndex = entries[0]?.index
    for (const entry of entries) {
      if (entry.index !== expectedIndex) violation('log-matching', `${node}: log is not contiguous at index ${entry.index} (expected ${String(expectedIndex)})`, { node })
      expectedIndex = entry.index + 1
      if (prev !== undefined && entry.term < prev) {
        violation('log-matching', `${node}: term decreases along the log at index ${entry.index} (${prev} then ${entry.term})`, { node, index: entry.index })
      }
      const id = `${entry.index}/${entry.term}`
      const key = entryKey(entry)
      const known = this.seen.get(id)
      if (known === undefined) {
        this.seen.set(id, { key, prevTerm: prev, node })
      } else {
        if (known.key !== key) {
          violation('log-matching', `index ${entry.index} term ${entry.term} holds different entries on ${known.node} and ${node}`, { index: entry.index, term: entry.term })
        }
        if (known.prevTerm !== undefined && prev !== undefined && known.prevTerm !== prev) {
          violation('log-matching', `index ${entry.index} term ${entry.term} is preceded by term ${known.prevTerm} on ${known.node} but term ${prev} on ${node}`, { index: entry.index, term: entry.term })
        }
        if (known.prevTerm === undefined && prev !== undefined) this.seen.set(id, { key, prevTerm: prev, node })
      }
      prev = entry.term
    }
  }
}
