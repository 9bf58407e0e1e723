// In-memory pins on chunk ids. Uploads in flight and open readers pin the chunks they depend
// on, so garbage collection leaves them alone whatever grace period it is given. Pins are
// counted: two readers of the same chunk each hold one.
export class PinSet {
  private readonly counts = new Map<string, number>()

  /** pins every id (duplicates are fine) and returns an idempotent release function */
  pin (cids: Iterable<string>): () => void {
    const held = [...cids]
    for (const cid of held) this.counts.set(cid, (this.counts.get(cid) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      for (const cid of held) {
        const left = (this.counts.get(cid) ?? 0) - 1
        if (left <= 0) this.counts.delete(cid)
        else this.counts.set(cid, left)
      }
    }
  }

  isPinned (cid: string): boolean {
    return this.counts.has(cid)
  }

  get size (): number {
    return this.counts.size
  }
}
