// The part of the log not yet handed to storage (etcd's unstable): entries appended since the last
// Ready, and a snapshot received from the leader but not yet installed. `offset` is the index of
// entries[0]; everything below it is in storage (or in the pending snapshot).

import { assert } from '../../util/assert.js'
import type { Entry, Snapshot } from '../types.js'

export class Unstable {
  snapshot: Snapshot | undefined
  entries: Entry[] = []

  constructor (public offset: number) {}

  /** first index if a snapshot is pending (everything before it is replaced) */
  maybeFirstIndex (): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1
  }

  maybeLastIndex (): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    return this.snapshot?.metadata.index
  }

  maybeTerm (index: number): number | undefined {
    if (index < this.offset) {
      return this.snapshot !== undefined && this.snapshot.metadata.index === index ? this.snapshot.metadata.term : undefined
    }
    const last = this.maybeLastIndex()
    if (last === undefined || index > last) return undefined
    return this.entries[index - this.offset]?.term ?? this.snapshot?.metadata.term
  }

  /** entries up to (index, term) are durable; the term check ignores a stale Ready whose entries
   * were since replaced by a conflicting append */
  stableTo (index: number, term: number): void {
    const t = this.maybeTerm(index)
    if (t === term && index >= this.offset) {
      this.entries = this.entries.slice(index + 1 - this.offset)
      this.offset = index + 1
    }
  }

  stableSnapTo (index: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === index) this.snapshot = undefined
  }

  restore (snap: Snapshot): void {
    this.offset = snap.metadata.index + 1
    this.entries = []
    this.snapshot = snap
  }

  truncateAndAppend (ents: readonly Entry[]): void {
    const after = ents[0]!.index
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents)
    } else if (after <= this.offset) {
      // the new entries replace everything unstable (and storage truncates on the next save)
      this.offset = after
      this.entries = [...ents]
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(ents)
    }
  }

  slice (lo: number, hi: number): Entry[] {
    assert(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi,
      'unstable slice out of bounds', { lo, hi, offset: this.offset, length: this.entries.length })
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
