// The MsgApp a leader sent to one follower and that are not acknowledged yet (etcd's Inflights),
// each remembered by its last entry index. Bounded by maxInflightMsgs: when full, the leader stops
// sending to that follower until acknowledgements free slots (flow control, thesis §10.2).

import { assert } from '../../util/assert.js'

export class Inflights {
  private readonly indexes: number[] = []

  constructor (readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0, 'inflight capacity must be a positive integer', { capacity })
  }

  add (lastIndex: number): void {
    assert(!this.full(), 'cannot add to full inflights', { capacity: this.capacity, lastIndex })
    const prev = this.indexes[this.indexes.length - 1]
    assert(prev === undefined || lastIndex > prev, 'inflight indexes must increase', { prev, lastIndex })
    this.indexes.push(lastIndex)
  }

  /** an acknowledgement up to `to` frees every message ending at or before it */
  freeLE (to: number): void {
    let n = 0
    while (n < this.indexes.length && this.indexes[n]! <= to) n++
    if (n > 0) this.indexes.splice(0, n)
  }

  /** a heartbeat response proves the follower is alive: let one more message through */
  freeFirstOne (): void {
    this.indexes.shift()
  }

  full (): boolean {
    return this.indexes.length >= this.capacity
  }

  count (): number {
    return this.indexes.length
  }

  reset (): void {
    this.indexes.length = 0
  }
}
