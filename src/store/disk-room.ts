// Room on this peer's disk for chunks on their way to it: a put's chunks, chunks pushed by
// peers, chunks a read fetches. Chunks never take the last `reservedFreeBytes` of the disk,
// which keep room for the metadata, the Raft log and the logs (a disk filled by chunks would
// leave the peer unable to record anything). Each writer claims its chunk's size before it
// writes and releases the claim once the chunk is on disk (or abandoned): the free space the
// file system reports does not show writes still to come, so without claims concurrent writers
// would each see the same free bytes and together eat into the reserve. Claims are decided
// one at a time; one that does not fit first has cached copies evicted.
//
// The file system is asked at most once a second while there is plenty of room: a claim that
// fits in the last reading, less everything claimed since (bytes released since count as still
// taken: they are on disk now, which that reading did not see), needs no new one. Asking on
// every claim put each claim behind the disk's fsyncs in libuv's thread pool.
import { raceSignal } from '../util/race-signal.js'

export interface DiskRoomComponents {
  /**
   * bytes chunks never take. 0 still counts claims against the free space: without it,
   * concurrent writers would each see the same free bytes, and a read on a full disk would
   * not evict cached copies to make room.
   */
  readonly reservedFreeBytes: number
  /** free bytes on the data dir's file system, now */
  readonly freeBytes: () => Promise<number>
  readonly nowMs?: () => number
  /** evicts cached copies until `hasRoom` says there is room, or none is left to evict */
  readonly evict?: (hasRoom: () => Promise<boolean>) => Promise<unknown>
}

/** a reading of the free space is trusted this long, for claims that fit in it */
export const FREE_SPACE_READING_MS = 1000

export class DiskRoom {
  private claimedBytes = 0
  private queue: Promise<unknown> = Promise.resolve()
  /** the last reading of the free space, and the bytes released (written) since it */
  private reading: { freeBytes: number, atMs: number, releasedSince: number } | undefined

  constructor (private readonly c: DiskRoomComponents) {}

  /** the free bytes of the last reading of the file system (undefined before the first) */
  get lastFreeBytes (): number | undefined {
    return this.reading?.freeBytes
  }

  /** bytes claimed by writes in flight */
  get claimed (): number {
    return this.claimedBytes
  }

  /**
   * The release of a claim for `bytes`, or null when they do not fit even after evicting.
   * If `signal` aborts first, rejects with its reason: a claim still waiting for its turn is
   * then skipped (it evicts nothing), and one that was being decided is given back.
   */
  async claim (bytes: number, signal?: AbortSignal): Promise<(() => void) | null> {
    let abandoned = false
    const turn = this.queue.then(async () => abandoned ? null : await this.claimNow(bytes))
    this.queue = turn.catch(() => {})
    if (signal === undefined) return await turn
    try {
      return await raceSignal(turn, signal)
    } catch (err) {
      if (!signal.aborted) throw err
      abandoned = true
      turn.then((release) => { release?.() }, () => {})
      throw err
    }
  }

  private async claimNow (bytes: number): Promise<(() => void) | null> {
    const room = (free: number, releasedSince: number): number => free - this.c.reservedFreeBytes - this.claimedBytes - releasedSince
    const last = this.reading
    const fresh = last !== undefined && this.now() - last.atMs < FREE_SPACE_READING_MS
    if (!fresh || room(last.freeBytes, last.releasedSince) < bytes) {
      const hasRoom = async (): Promise<boolean> => {
        const freeBytes = await this.c.freeBytes()
        this.reading = { freeBytes, atMs: this.now(), releasedSince: 0 }
        return room(freeBytes, 0) >= bytes
      }
      if (!await hasRoom()) {
        await this.c.evict?.(hasRoom)
        if (!await hasRoom()) return null
      }
    }
    this.claimedBytes += bytes
    let released = false
    return () => {
      if (released) return
      released = true
      this.claimedBytes -= bytes
      if (this.reading !== undefined) this.reading.releasedSince += bytes
    }
  }

  private now (): number {
    return (this.c.nowMs ?? Date.now)()
  }
}
