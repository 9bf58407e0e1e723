// The log as the core sees it (etcd's raftLog): storage (durable, read-only here) followed by the
// unstable part, plus the committed and applied cursors.
//
//   snapshot/first … applied … committed … stable last … unstable last
//
// Invariants (asserted): applied ≤ committed ≤ lastIndex; a committed entry is never truncated.

import { assert } from '../../util/assert.js'
import { RaftStorageError, takeWithinSize } from '../storage.js'
import type { RaftLogReader } from '../storage.js'
import type { Entry, Snapshot } from '../types.js'
import { Unstable } from './unstable.js'

export class RaftLog {
  readonly unstable: Unstable
  /** highest index known to be stored on a quorum (§5.3) */
  committed: number
  /** highest index handed to the application (moved on advance) */
  applied: number

  constructor (readonly storage: RaftLogReader) {
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    this.unstable = new Unstable(last + 1)
    // everything up to the snapshot is committed and applied by definition
    this.committed = first - 1
    this.applied = first - 1
  }

  firstIndex (): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex (): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  lastTerm (): number {
    const t = this.term(this.lastIndex())
    assert(t !== undefined, 'the last entry must have a term', this.describe())
    return t
  }

  /** term of the entry at index, or undefined if compacted away or past the end */
  term (index: number): number | undefined {
    const dummyIndex = this.firstIndex() - 1
    if (index < dummyIndex || index > this.lastIndex()) return undefined
    const t = this.unstable.maybeTerm(index)
    if (t !== undefined) return t
    try {
      return this.storage.term(index)
    } catch (err) {
      if (err instanceof RaftStorageError && (err.kind === 'compacted' || err.kind === 'unavailable')) return undefined
      throw err
    }
  }

  matchTerm (index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** §5.4.1 election restriction: is a log ending at (lastIndex, lastTerm) at least as up-to-date as ours? */
  isUpToDate (lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm()
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex())
  }

  /**
   * Follower side of AppendEntries (§5.3): if our entry at `index` has `logTerm`, append what is
   * new, truncating a conflicting suffix, and commit up to min(leaderCommit, last new index).
   * Returns the index of the last new entry, or undefined when the consistency check fails.
   */
  maybeAppend (index: number, logTerm: number, leaderCommit: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined
    const lastNew = index + ents.length
    const conflict = this.findConflict(ents)
    if (conflict !== 0) {
      // §5.3 Log Matching: an entry the leader sent conflicts with ours; ours cannot be committed,
      // or two different entries would be committed at one index
      assert(conflict > this.committed, 'entry conflicts with a committed entry', { conflict, ...this.describe() })
      this.append(ents.slice(conflict - (index + 1)))
    }
    // only entries known to match the leader's are committed: not past lastNew
    this.commitTo(Math.min(leaderCommit, lastNew))
    return lastNew
  }

  /** first index at which ents differ from our log (or extend it), 0 if all are present */
  findConflict (ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * Fast backtracking of a rejected append (etcd's findConflictByTerm, thesis §5.3 optimisation):
   * the largest index ≤ `index` whose term is ≤ `term`; the leader and follower logs cannot match
   * above it.
   */
  findConflictByTerm (index: number, term: number): { index: number, term: number } {
    for (let i = Math.min(index, this.lastIndex()); i > 0; i--) {
      const t = this.term(i)
      if (t === undefined) return { index: i, term: 0 }
      if (t <= term) return { index: i, term: t }
    }
    return { index: 0, term: 0 }
  }

  append (ents: readonly Entry[]): number {
    const first = ents[0]
    if (first === undefined) return this.lastIndex()
    assert(first.index - 1 >= this.committed, 'appending would truncate committed entries', { first: first.index, ...this.describe() })
    assert(first.index <= this.lastIndex() + 1, 'append leaves a gap', { first: first.index, ...this.describe() })
    const prevTerm = this.term(first.index - 1) ?? 0
    ents.forEach((e, i) => {
      assert(e.index === first.index + i, 'appended entries must be contiguous', { at: i, index: e.index, first: first.index })
      // terms in a log never decrease (each leader appends in its own, larger, term)
      assert(e.term >= (i === 0 ? prevTerm : ents[i - 1]!.term), 'entry terms must not decrease', { at: e.index, term: e.term, prevTerm })
    })
    this.unstable.truncateAndAppend(ents)
    return this.lastIndex()
  }

  unstableEntries (): Entry[] {
    return [...this.unstable.entries]
  }

  /** committed entries not yet applied (they may still be unstable: the driver persists first) */
  nextCommittedEntries (maxSizeBytes = Infinity): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex())
    if (this.committed + 1 <= lo) return []
    return this.slice(lo, this.committed + 1, maxSizeBytes)
  }

  hasNextCommittedEntries (): boolean {
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex())
  }

  snapshot (): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot()
  }

  commitTo (toCommit: number): void {
    // commit never decreases: a smaller value (e.g. from a stale heartbeat) is ignored
    if (toCommit <= this.committed) return
    assert(toCommit <= this.lastIndex(), 'commit index past the last log index (corrupt or truncated log?)', { toCommit, ...this.describe() })
    this.committed = toCommit
  }

  appliedTo (index: number): void {
    if (index === 0) return
    assert(index <= this.committed && index >= this.applied, 'applied must stay in [applied, committed]', { index, ...this.describe() })
    this.applied = index
  }

  stableTo (index: number, term: number): void {
    this.unstable.stableTo(index, term)
  }

  stableSnapTo (index: number): void {
    this.unstable.stableSnapTo(index)
  }

  /**
   * Leader commit rule (§5.4.2): advance to `maxIndex` (replicated on a quorum) only if that entry
   * is from the current term; older entries are then committed indirectly (Figure 8).
   */
  maybeCommit (maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex)
      return true
    }
    return false
  }

  /** §7: replace the log with a snapshot from the leader */
  restore (snap: Snapshot): void {
    this.committed = snap.metadata.index
    this.unstable.restore(snap)
  }

  /** entries from lo capped at maxSizeBytes of entrySizeBytes (at least one), or undefined if lo is compacted */
  entries (lo: number, maxSizeBytes = Infinity): Entry[] | undefined {
    if (lo > this.lastIndex()) return []
    if (lo < this.firstIndex()) return undefined
    return this.slice(lo, this.lastIndex() + 1, maxSizeBytes)
  }

  slice (lo: number, hi: number, maxSizeBytes = Infinity): Entry[] {
    assert(lo >= this.firstIndex() && hi <= this.lastIndex() + 1 && lo <= hi, 'log slice out of bounds', { lo, hi, ...this.describe() })
    if (lo === hi) return []
    const offset = this.unstable.offset
    let out: Entry[] = []
    if (lo < offset) {
      out = this.storage.entries(lo, Math.min(hi, offset), maxSizeBytes)
      // storage stopped early for the size cap: do not add unstable entries after a gap
      if (out.length < Math.min(hi, offset) - lo) return out
    }
    if (hi > offset) takeWithinSize(out, this.unstable.slice(Math.max(lo, offset), hi), maxSizeBytes)
    return out
  }

  describe (): Record<string, number> {
    return { committed: this.committed, applied: this.applied, firstIndex: this.firstIndex(), lastIndex: this.lastIndex(), unstableOffset: this.unstable.offset }
  }
}
