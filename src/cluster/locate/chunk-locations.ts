// Who holds which chunk, as last heard: the fast path to a chunk before the DHT. Fed by gossip
// chunk events (stored adds the sender, deleted removes it) and by successful fetches. It is a
// hint, never the truth — a fetch from a listed holder can still fail, and the reader falls back
// to the DHT — so it is bounded rather than complete: the least recently used chunk is forgotten
// past maxChunks, and the least recently confirmed holder past maxHoldersPerChunk.
import { assert } from '../../util/assert.js'

export interface ChunkLocationsInit {
  /** chunks remembered at most @default 100_000 */
  readonly maxChunks?: number
  /** holders remembered per chunk at most @default 16 */
  readonly maxHoldersPerChunk?: number
}

export const DEFAULT_MAX_CHUNKS = 100_000
export const DEFAULT_MAX_HOLDERS_PER_CHUNK = 16

export class ChunkLocations {
  private readonly maxChunks: number
  private readonly maxHoldersPerChunk: number
  // Map order is the LRU order (oldest first); each list is most recently confirmed first
  private readonly chunks = new Map<string, string[]>()

  constructor (init: ChunkLocationsInit = {}) {
    this.maxChunks = init.maxChunks ?? DEFAULT_MAX_CHUNKS
    this.maxHoldersPerChunk = init.maxHoldersPerChunk ?? DEFAULT_MAX_HOLDERS_PER_CHUNK
    assert(Number.isSafeInteger(this.maxChunks) && this.maxChunks > 0, 'maxChunks must be a positive integer', init)
    assert(Number.isSafeInteger(this.maxHoldersPerChunk) && this.maxHoldersPerChunk > 0, 'maxHoldersPerChunk must be a positive integer', init)
  }

  /** Records that peerId holds cid, as the most recently confirmed holder of the most recently used chunk. */
  add (cid: string, peerId: string): void {
    const holders = this.chunks.get(cid) ?? []
    const at = holders.indexOf(peerId)
    if (at >= 0) holders.splice(at, 1)
    holders.unshift(peerId)
    if (holders.length > this.maxHoldersPerChunk) holders.pop()
    this.touch(cid, holders)
    if (this.chunks.size > this.maxChunks) {
      const oldest = this.chunks.keys().next()
      if (oldest.done !== true) this.chunks.delete(oldest.value)
    }
  }

  /** Records that peerId no longer holds cid. */
  remove (cid: string, peerId: string): void {
    const holders = this.chunks.get(cid)
    if (holders === undefined) return
    const at = holders.indexOf(peerId)
    if (at < 0) return
    holders.splice(at, 1)
    if (holders.length === 0) this.chunks.delete(cid)
  }

  /**
   * Forgets a peer everywhere (it died or left). A scan of every chunk: rare (a peer's death),
   * and cheaper than a reverse index of maxChunks × maxHoldersPerChunk entries kept for it.
   */
  forgetPeer (peerId: string): void {
    for (const [cid, holders] of this.chunks) {
      const at = holders.indexOf(peerId)
      if (at < 0) continue
      holders.splice(at, 1)
      if (holders.length === 0) this.chunks.delete(cid)
    }
  }

  /** Known holders of cid, most recently confirmed first ([] if none). A lookup counts as a use. */
  holders (cid: string): string[] {
    const holders = this.chunks.get(cid)
    if (holders === undefined) return []
    this.touch(cid, holders)
    return [...holders]
  }

  get size (): number {
    return this.chunks.size
  }

  private touch (cid: string, holders: string[]): void {
    this.chunks.delete(cid)
    this.chunks.set(cid, holders)
  }
}
