// Buffers for the pieces a download yields. A fresh 1 MiB buffer per piece made a 1 GiB
// download allocate 1 GiB of ArrayBuffers, and that churn, not the heap, triggered most of
// its full garbage collections. A consumer that knows a piece is no longer referenced (the
// HTTP response has written it) hands it back, and the next piece is read into it.
//
// Only buffers taken from this pool and not yet handed back are accepted, each once, so a
// stray or repeated hand-back can never make two live pieces share memory.
import { READ_PIECE_BYTES } from './chunk-verify.js'

/** spare buffers kept; more hand-backs than this are left to the garbage collector */
const MAX_SPARE_BUFFERS = 2

export class PieceBuffers {
  /** weak: a piece that is never handed back is simply collected */
  private readonly out = new WeakSet<ArrayBufferLike>()
  private readonly spare: Buffer[] = []

  /** a READ_PIECE_BYTES buffer owned by the caller until it is handed back */
  take (): Buffer {
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool
    const buffer = this.spare.pop() ?? Buffer.allocUnsafeSlow(READ_PIECE_BYTES)
    this.out.add(buffer.buffer)
    return buffer
  }

  /** accepts pieces (or views of them) that came from take() and are no longer used */
  handBack (pieces: unknown): void {
    if (!Array.isArray(pieces)) return
    for (const piece of pieces) {
      if (!(piece instanceof Uint8Array) || !this.out.delete(piece.buffer)) continue
      if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(Buffer.from(piece.buffer, 0, READ_PIECE_BYTES))
    }
  }
}
