// The most recent log entries kept in memory beside SQLite. The core asks for terms of recent
// indexes on every append and the driver reads just-committed entries back to apply them; both
// hit the tail of the log, so serving it from memory saves a query per call. The cache is
// always a contiguous suffix of the log (it ends at lastIndex) or empty.

import type { Entry } from '../types.js'

export class SqliteTailCache {
  private ents: Entry[] = []
  private bytes = 0

  constructor (private readonly maxEntries: number, private readonly maxBytes: number) {}

  /** index of the first cached entry, or undefined when empty */
  firstIndex (): number | undefined {
    return this.ents[0]?.index
  }

  get (index: number): Entry | undefined {
    const first = this.ents[0]
    return first === undefined ? undefined : this.ents[index - first.index]
  }

  /** entries [lo, hi) if all are cached */
  slice (lo: number, hi: number): readonly Entry[] | undefined {
    const first = this.ents[0]
    if (first === undefined || lo < first.index) return undefined
    return this.ents.slice(lo - first.index, hi - first.index)
  }

  /** `fresh` was just appended to the log, replacing everything from fresh[0].index on */
  append (fresh: readonly Entry[]): void {
    const from = fresh[0]
    if (from === undefined) return
    const first = this.ents[0]
    if (first === undefined || from.index <= first.index) {
      this.ents = []
      this.bytes = 0
    } else {
      for (const dropped of this.ents.splice(from.index - first.index)) this.bytes -= dropped.data.byteLength
    }
    for (const e of fresh) {
      this.ents.push(e)
      this.bytes += e.data.byteLength
    }
    this.evict()
  }

  /** forget entries with index ≤ index (they were compacted) */
  dropThrough (index: number): void {
    const first = this.ents[0]
    if (first === undefined || index < first.index) return
    for (const dropped of this.ents.splice(0, index - first.index + 1)) this.bytes -= dropped.data.byteLength
  }

  clear (): void {
    this.ents = []
    this.bytes = 0
  }

  private evict (): void {
    // evict in bulk (a quarter over the limit) so splice's O(n) cost is amortised
    let drop = 0
    if (this.ents.length > this.maxEntries + (this.maxEntries >> 2)) drop = this.ents.length - this.maxEntries
    let bytes = this.bytes
    for (let i = 0; i < drop; i++) bytes -= this.ents[i]!.data.byteLength
    while (bytes > this.maxBytes && drop < this.ents.length - 1) bytes -= this.ents[drop++]!.data.byteLength
    if (drop === 0) return
    this.ents.splice(0, drop)
    this.bytes = bytes
  }
}
