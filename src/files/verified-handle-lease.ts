// Hands the descriptor of a chunk verified in readFile() over to the body stream, so the
// first chunk is hashed once, not twice. A body that is never consumed must not keep a file
// descriptor and a GC pin forever: an untaken lease closes itself after idleMs.
import type { FileHandle } from 'node:fs/promises'

export const DEFAULT_LEASE_IDLE_MS = 30_000

export class VerifiedHandleLease {
  private handle: FileHandle | null
  private readonly timer: NodeJS.Timeout

  constructor (handle: FileHandle, readonly cid: string, private readonly releasePin: () => void, idleMs = DEFAULT_LEASE_IDLE_MS) {
    this.handle = handle
    this.timer = setTimeout(() => { void this.dispose() }, idleMs)
    this.timer.unref()
  }

  /** the verified handle (now owned by the caller, pin included), or null if it expired */
  take (): { handle: FileHandle, releasePin: () => void } | null {
    clearTimeout(this.timer)
    const handle = this.handle
    this.handle = null
    return handle === null ? null : { handle, releasePin: this.releasePin }
  }

  /** closes the handle and drops the pin if nobody took them */
  async dispose (): Promise<void> {
    const taken = this.take()
    if (taken === null) return
    taken.releasePin()
    await taken.handle.close().catch(() => {})
  }
}
