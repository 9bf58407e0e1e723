// Room on this peer's disk for chunks on their way to it: a put's chunks, chunks pushed by
// peers, chunks a read fetches. Chunks never take the last `reservedFreeBytes` of the disk,
// which keep room for the metadata, the Raft log and the logs (a disk filled by chunks would
// leave the peer unable to record anything). Each writer claims its chunk's size before it
// writes and releases the claim once the chunk is on disk (or abandoned): the free space the
// file system reports does not show writes still to come, so without claims concurrent writers
// would each see the same free bytes and together eat into the reserve. Claims are decided
// one at a time; one that does not fit first has cached copies evicted.
export interface DiskRoomComponents {
  /** bytes chunks never take; 0 turns the accounting off */
  readonly reservedFreeBytes: number
  /** free bytes on the data dir's file system, now */
  readonly freeBytes: () => Promise<number>
  /** evicts cached copies until `hasRoom` says there is room, or none is left to evict */
  readonly evict?: (hasRoom: () => Promise<boolean>) => Promise<unknown>
}

export class DiskRoom {
  private claimedBytes = 0
  private queue: Promise<unknown> = Promise.resolve()

  constructor (private readonly c: DiskRoomComponents) {}

  /** bytes claimed by writes in flight */
  get claimed (): number {
    return this.claimedBytes
  }

  /** the release of a claim for `bytes`, or null when they do not fit even after evicting */
  async claim (bytes: number): Promise<(() => void) | null> {
    if (this.c.reservedFreeBytes === 0) return () => {}
    const turn = this.queue.then(async () => await this.claimNow(bytes))
    this.queue = turn.catch(() => {})
    return await turn
  }

  private async claimNow (bytes: number): Promise<(() => void) | null> {
    const hasRoom = async (): Promise<boolean> => (await this.c.freeBytes()) - this.c.reservedFreeBytes - this.claimedBytes >= bytes
    if (!await hasRoom()) {
      await this.c.evict?.(hasRoom)
      if (!await hasRoom()) return null
    }
    this.claimedBytes += bytes
    let released = false
    return () => {
      if (released) return
      released = true
      this.claimedBytes -= bytes
    }
  }
}
