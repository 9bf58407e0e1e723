// The holder's side of a fetch: read the request, take a transfer slot, re-hash the whole
// chunk, then stream the asked range in frames with backpressure. A refusal (not found,
// corrupt, busy, bad range) is a header with an error code and no data; the corrupt case
// never sends a byte, since the check runs before the header.
import type { Connection, Stream } from '@libp2p/interface'
import { JadfsError } from '../../../errors.js'
import { AssertionFailure } from '../../../util/assert.js'
import { toJadfsError } from '../stream-errors.js'
import { fetchRequestCodec, fetchResponseCodec } from './codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID, MIN_FRAME_BYTES } from './constants.js'
import { openVerifiedChunk } from './local-chunk.js'
import type { VerifiedChunk } from './local-chunk.js'
import { asRefusal, takeSlot } from './server-context.js'
import type { ServerContext } from './server-context.js'
import { TransferClock } from './transfer-stream.js'
import { chunkIdFromWire } from './wire-cid.js'

export async function serveFetch (ctx: ServerContext, stream: Stream, connection: Connection): Promise<void> {
  const peer = connection.remotePeer.toString()
  const context = `${CHUNK_FETCH_PROTOCOL_ID} from ${peer}`
  const clock = new TransferClock(ctx.limits, context, [ctx.host.signal])
  const transfer = clock.attach(stream)
  let releaseSlot: (() => void) | undefined
  let chunk: VerifiedChunk | undefined
  try {
    const req = await transfer.readHeader(fetchRequestCodec)
    let startByte = 0
    let endByteExclusive = 0
    try {
      const cid = chunkIdFromWire(req.cid)
      if (!transfer.agreeFrameBytes(req.maxFrameSize)) {
        throw new JadfsError('PROTOCOL_ERROR', `a frame limit of ${req.maxFrameSize} bytes is below the minimum of ${MIN_FRAME_BYTES}`)
      }
      releaseSlot = takeSlot(ctx, peer)
      // The verification is the expensive part, so it comes after admission.
      chunk = await openVerifiedChunk(ctx.store, cid)
      ;[startByte, endByteExclusive] = clipRange(req.offset, req.length, chunk.sizeBytes, cid)
    } catch (err) {
      const refusal = asRefusal(err)
      if (refusal === undefined) throw err
      await transfer.writeHeader(fetchResponseCodec, { totalSize: 0, offset: 0, length: 0, errorCode: refusal.code, errorMessage: refusal.message })
      await transfer.closeWrite()
      return
    }
    await transfer.writeHeader(fetchResponseCodec, {
      totalSize: chunk.sizeBytes, offset: startByte, length: endByteExclusive - startByte, errorCode: '', errorMessage: ''
    })
    for await (const piece of chunk.read(startByte, endByteExclusive)) await transfer.writeData(piece)
    await transfer.closeWrite()
  } catch (err) {
    const mapped = toJadfsError(err, 'exchange', context)
    transfer.abort(mapped)
    // A broken invariant is a bug here, not the peer's doing: it crashes loudly.
    if (err instanceof AssertionFailure) throw err
    ctx.host.logger.debug({ protocol: CHUNK_FETCH_PROTOCOL_ID, peer, code: mapped.code, err: mapped.message }, 'chunk fetch not served')
  } finally {
    releaseSlot?.()
    await chunk?.close().catch(() => {})
    clock.clear()
  }
}

/** [start, end) of the chunk a request asks for; length 0 means "to the end". */
function clipRange (offset: number, length: number, sizeBytes: number, cid: string): [number, number] {
  if (offset > sizeBytes || (offset === sizeBytes && sizeBytes > 0)) {
    throw new JadfsError('INVALID_RANGE', `offset ${offset} is outside chunk ${cid} of ${sizeBytes} bytes`)
  }
  return [offset, length === 0 ? sizeBytes : Math.min(sizeBytes, offset + length)]
}
