// The bounded queue of encoded messages waiting for one peer. send() must never block the
// Raft driver, so when the peer is slower than the leader the queue sheds load instead of
// growing. It drops the OLDEST non-snapshot messages: the newest carry the current term and
// commit index, and everything Raft sends is retried by Raft itself (heartbeats recur every
// heartbeat tick, a lost MsgApp is resent when the follower's progress probes again, an
// election that loses a vote times out and runs again), so a drop costs latency, not safety.
// A snapshot is kept because it is the only way a lagging follower catches up and is costly
// to rebuild; a newer snapshot replaces an older one still waiting, which is then useless.
import { assert } from '../../util/assert.js'

export interface QueuedMessage {
  readonly bytes: Uint8Array
  readonly snapshot: boolean
}

export class OutboundQueue {
  private readonly items: QueuedMessage[] = []
  private queuedBytes = 0

  constructor (private readonly maxMessages: number, private readonly maxBytes: number) {
    assert(Number.isSafeInteger(maxMessages) && maxMessages > 0, 'maxMessages must be a positive integer', { maxMessages })
    assert(Number.isSafeInteger(maxBytes) && maxBytes > 0, 'maxBytes must be a positive integer', { maxBytes })
  }

  get length (): number { return this.items.length }
  get bytes (): number { return this.queuedBytes }

  /** Queues `item`; returns how many messages were dropped to make room (the item itself included if it could not fit). */
  push (item: QueuedMessage): number {
    assert(item.bytes.byteLength <= this.maxBytes, 'a queued message must fit the byte limit on its own', { bytes: item.bytes.byteLength, maxBytes: this.maxBytes })
    let dropped = 0
    if (item.snapshot) {
      const older = this.items.findIndex((q) => q.snapshot)
      if (older >= 0) {
        this.removeAt(older)
        dropped++
      }
    }
    while (this.items.length + 1 > this.maxMessages || this.queuedBytes + item.bytes.byteLength > this.maxBytes) {
      const oldest = this.items.findIndex((q) => !q.snapshot)
      // Only a snapshot is left and the new message still does not fit: the newcomer goes.
      if (oldest < 0) return dropped + 1
      this.removeAt(oldest)
      dropped++
    }
    this.items.push(item)
    this.queuedBytes += item.bytes.byteLength
    return dropped
  }

  shift (): QueuedMessage | undefined {
    const item = this.items.shift()
    if (item !== undefined) this.queuedBytes -= item.bytes.byteLength
    return item
  }

  /** Empties the queue; returns how many messages it held. */
  clear (): number {
    const n = this.items.length
    this.items.length = 0
    this.queuedBytes = 0
    return n
  }

  private removeAt (i: number): void {
    const [item] = this.items.splice(i, 1)
    if (item !== undefined) this.queuedBytes -= item.bytes.byteLength
  }
}
