// The receiver's side of a push. The first answer comes before any data: ALREADY_HAD (send
// nothing), REFUSED (busy, too large, bad id) or READY. The bytes then go through the store's
// write-while-hashing path and are filed only if they hash to the pushed id; the final
// answer is STORED, or REFUSED with CHECKSUM_MISMATCH / NO_SPACE / STORAGE_IO and nothing
// stored. The sender reads the final answer only after it has sent everything, so after a
// storage failure mid-stream the rest of the declared bytes are read and dropped first.
import type { Connection, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { JadfsError } from '../../../errors.js'
import { AssertionFailure } from '../../../util/assert.js'
import { receiveChunk } from '../../../store/receive-chunk.js'
import { toJadfsError } from '../stream-errors.js'
import { PushStatus } from './chunk.js'
import { pushRequestCodec, pushResponseCodec } from './codecs.js'
import { CHUNK_PUSH_PROTOCOL_ID } from './constants.js'
import { holdsChunk } from './local-chunk.js'
import { asRefusal, claimRoomWithin, takeSlot } from './server-context.js'
import type { ServerContext } from './server-context.js'
import { TransferClock } from './transfer-stream.js'
import type { TransferStream } from './transfer-stream.js'
import { chunkIdFromWire } from './wire-cid.js'

export async function servePush (ctx: ServerContext, stream: Stream, connection: Connection): Promise<void> {
  const peer = connection.remotePeer.toString()
  const context = `${CHUNK_PUSH_PROTOCOL_ID} from ${peer}`
  const clock = new TransferClock(ctx.limits, context, [ctx.host.signal])
  const transfer = clock.attach(stream)
  let releaseSlot: (() => void) | undefined
  let releaseRoom: (() => void) | undefined
  try {
    const req = await transfer.readHeader(pushRequestCodec)
    let cid: string
    try {
      cid = chunkIdFromWire(req.cid)
      if (req.size > ctx.limits.maxChunkBytes) {
        throw new JadfsError('MESSAGE_TOO_LARGE', `a chunk of ${req.size} bytes is over the limit of ${ctx.limits.maxChunkBytes} bytes`)
      }
      // A copy marked bad is not held: the pushed bytes replace it.
      if (!holdsChunk(ctx.store, cid)) {
        // the slot first: a busy peer is told so at once, not after waiting to make room
        releaseSlot = takeSlot(ctx, peer)
        releaseRoom = await claimRoomWithin(ctx, req.size, clock.signal)
      }
    } catch (err) {
      await refuse(transfer, err)
      return
    }
    if (releaseSlot === undefined) {
      // the pusher counts this copy as one of the chunk's copies from now on: a copy cached
      // for a read must then stay
      ctx.store.index.keepAsCopy(cid)
      await answer(transfer, PushStatus.ALREADY_HAD)
      return
    }
    await transfer.writeHeader(pushResponseCodec, { status: PushStatus.READY, errorCode: '', errorMessage: '', maxFrameSize: ctx.limits.maxFrameBytes })

    const data = new DeclaredBytes(transfer, req.size)
    let received
    try {
      received = await receiveChunk(ctx.store.chunks, cid, data.frames())
    } catch (err) {
      // The peer failing (silent, reset, too many bytes) ends the exchange; our storage
      // failing is answered, once the peer has sent what it declared.
      if (data.failed || !(err instanceof JadfsError)) throw err
      await data.drain()
      await refuse(transfer, err)
      return
    }
    try {
      ctx.onStored?.(received.chunk, connection.remotePeer)
    } catch (err) {
      // The chunk is stored either way; a failing listener must not make the sender retry.
      ctx.host.logger.warn({ cid: received.chunk.cid, err: (err as Error).message }, 'onStored listener failed')
    } finally {
      // Unreferenced until the namespace names it; the collector's grace period covers that.
      received.release()
    }
    await answer(transfer, PushStatus.STORED)
  } catch (err) {
    const mapped = toJadfsError(err, 'exchange', context)
    transfer.abort(mapped)
    // A broken invariant is a bug here, not the peer's doing: it crashes loudly.
    if (err instanceof AssertionFailure) throw err
    ctx.host.logger.debug({ protocol: CHUNK_PUSH_PROTOCOL_ID, peer, code: mapped.code, err: mapped.message }, 'chunk push not received')
  } finally {
    releaseSlot?.()
    releaseRoom?.()
    clock.clear()
  }
}

async function answer (transfer: TransferStream, status: PushStatus): Promise<void> {
  await transfer.writeHeader(pushResponseCodec, { status, errorCode: '', errorMessage: '', maxFrameSize: 0 })
  await transfer.closeWrite()
}

async function refuse (transfer: TransferStream, err: unknown): Promise<void> {
  const refusal = asRefusal(err)
  if (refusal === undefined) throw err
  await transfer.writeHeader(pushResponseCodec, { status: PushStatus.REFUSED, errorCode: refusal.code, errorMessage: refusal.message, maxFrameSize: 0 })
  await transfer.closeWrite()
}

/** The data frames of a push, held to the size the sender declared. */
class DeclaredBytes {
  private receivedBytes = 0
  private ended = false
  /** Set when the peer, not the store, broke the transfer. */
  failed = false

  constructor (private readonly transfer: TransferStream, private readonly sizeBytes: number) {}

  async * frames (): AsyncGenerator<Uint8Array> {
    while (true) {
      const frame = await this.next()
      if (frame === undefined) return
      yield * frame
    }
  }

  /** Reads and drops what is left of the declared bytes. */
  async drain (): Promise<void> {
    while (await this.next() !== undefined) { /* dropped */ }
  }

  private async next (): Promise<Uint8ArrayList | undefined> {
    if (this.ended) return undefined
    try {
      const frame = await this.transfer.readFrameOrEnd()
      if (frame === undefined) {
        this.ended = true
        if (this.receivedBytes !== this.sizeBytes) {
          throw new JadfsError('PROTOCOL_ERROR', `the sender closed after ${this.receivedBytes} of the ${this.sizeBytes} bytes it declared`)
        }
        return undefined
      }
      this.receivedBytes += frame.byteLength
      if (this.receivedBytes > this.sizeBytes) {
        throw new JadfsError('PROTOCOL_ERROR', `the sender sent more than the ${this.sizeBytes} bytes it declared`)
      }
      return frame
    } catch (err) {
      this.failed = true
      throw err
    }
  }
}
