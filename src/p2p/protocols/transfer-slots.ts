// Admission for inbound streams: at most maxPerPeer at once from one peer and maxTotal from
// all peers. A stream that finds no slot is refused at once rather than queued (the chunk
// protocols answer PEER_BUSY, the Raft transport resets it): the asker knows other holders,
// or retries, while a queue here would only hold its stream (and our memory) open.
import { assert } from '../../util/assert.js'

export class TransferSlots {
  private readonly perPeer = new Map<string, number>()
  private total = 0

  constructor (private readonly maxPerPeer: number, private readonly maxTotal: number) {
    assert(maxPerPeer > 0 && maxTotal >= maxPerPeer, 'bad transfer slot limits', { maxPerPeer, maxTotal })
  }

  /** A release function (idempotent) if a slot was free, else which limit was reached. */
  tryAcquire (peer: string): (() => void) | 'peer-limit' | 'total-limit' {
    const held = this.perPeer.get(peer) ?? 0
    if (held >= this.maxPerPeer) return 'peer-limit'
    if (this.total >= this.maxTotal) return 'total-limit'
    this.perPeer.set(peer, held + 1)
    this.total++
    let released = false
    return () => {
      if (released) return
      released = true
      this.total--
      const left = (this.perPeer.get(peer) ?? 0) - 1
      assert(left >= 0 && this.total >= 0, 'transfer slot released twice', { peer, left, total: this.total })
      if (left === 0) this.perPeer.delete(peer)
      else this.perPeer.set(peer, left)
    }
  }

  get inUse (): number {
    return this.total
  }
}
