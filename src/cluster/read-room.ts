// Room on this peer's disk for the chunks reads fetch. A fetch claims its chunk's size before
// it starts and releases it when it ends: the free space the file system reports does not yet
// show fetches in flight (three read-ahead fetches would each see room for one chunk and
// together fill the disk past the reserve). Without room, cached copies are evicted (least
// recently read first); still without room, NO_SPACE. Claims are made one at a time, so two
// cannot both count the same free bytes.
import { JadfsError } from '../errors.js'
import type { ChunkRef } from '../files/file-service.js'

export interface ReadRoomComponents {
  /** whether this many more bytes fit, keeping the reserve free (asks the file system) */
  readonly hasRoomNow: (bytes: number) => Promise<boolean>
  /** evicts cached copies until `hasRoom` says there is room, or none is left to evict */
  readonly evictCachedForRoom: (hasRoom: () => Promise<boolean>) => Promise<unknown>
}

export class ReadRoom {
  private claimedBytes = 0
  private queue: Promise<unknown> = Promise.resolve()

  constructor (private readonly c: ReadRoomComponents) {}

  /** bytes claimed by fetches in flight */
  get claimed (): number {
    return this.claimedBytes
  }

  /** resolves with the release of the claim, or rejects with NO_SPACE */
  async claim (chunk: ChunkRef): Promise<() => void> {
    const turn = this.queue.then(async () => await this.claimNow(chunk))
    this.queue = turn.catch(() => {})
    return await turn
  }

  private async claimNow (chunk: ChunkRef): Promise<() => void> {
    const hasRoom = async (): Promise<boolean> => await this.c.hasRoomNow(this.claimedBytes + chunk.sizeBytes)
    await this.c.evictCachedForRoom(hasRoom)
    if (!await hasRoom()) {
      throw new JadfsError('NO_SPACE', `this peer has no room to hold chunk ${chunk.cid} (${chunk.sizeBytes} bytes) for the read, even after evicting the cached copies it could; read through another peer, or free space in its data directory`,
        { details: { cid: chunk.cid, sizeBytes: chunk.sizeBytes } })
    }
    this.claimedBytes += chunk.sizeBytes
    let released = false
    return () => {
      if (released) return
      released = true
      this.claimedBytes -= chunk.sizeBytes
    }
  }
}
