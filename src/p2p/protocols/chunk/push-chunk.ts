// The sender's side of a push: announce the chunk, send its bytes only if the receiver is
// READY, and report its final answer. 'already-had' costs one round trip and no data.
// The receiver re-hashes everything it gets, so the source need not be pre-verified for
// the receiver's sake; openPushSource reads a chunk from the local store verified anyway,
// because a node must not pass on bytes it has reason to distrust.
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { parseChunkCid } from '../../../chunk/cid.js'
import { JadfsError } from '../../../errors.js'
import { raceSignal } from '../../../util/race-signal.js'
import { fromWireError } from '../remote-error.js'
import type { RequestHost } from '../request.js'
import { PushStatus } from './chunk.js'
import type { PushResponse } from './chunk.js'
import { pushRequestCodec, pushResponseCodec } from './codecs.js'
import { CHUNK_PUSH_PROTOCOL_ID, MIN_FRAME_BYTES, resolveTransferLimits } from './constants.js'
import type { ChunkTransferLimits } from './constants.js'
import type { ChunkStore } from '../../../store/chunk-store.js'
import { readChunkRange } from '../../../store/chunk-verify.js'
import { openVerifiedChunk } from './local-chunk.js'
import type { ChunkProtocolStore } from './local-chunk.js'
import { openTransfer } from './open-transfer.js'
import { TransferClock } from './transfer-stream.js'
import type { TransferStream } from './transfer-stream.js'
import { chunkIdToWire } from './wire-cid.js'

export interface PushSource {
  readonly sizeBytes: number
  /** Exactly sizeBytes bytes, in pieces of any size. Not iterated if the receiver declines. */
  readonly body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
  /** Called once the push is over, whether or not body was read. */
  readonly close?: () => Promise<void>
}

export interface PushChunkOptions {
  readonly signal?: AbortSignal
  readonly limits?: Partial<ChunkTransferLimits>
}

export type PushOutcome = 'stored' | 'already-had'

export async function pushChunk (host: RequestHost, peer: PeerId | Multiaddr, cid: string, source: PushSource, options: PushChunkOptions = {}): Promise<PushOutcome> {
  try {
    const chunkId = parseChunkCid(cid)
    const limits = resolveTransferLimits(options.limits)
    if (!Number.isSafeInteger(source.sizeBytes) || source.sizeBytes < 0 || source.sizeBytes > limits.maxChunkBytes) {
      throw new JadfsError('INVALID_ARGUMENT', `a pushed chunk must have 0 to ${limits.maxChunkBytes} bytes, got ${source.sizeBytes}`)
    }
    const clock = new TransferClock(limits, `${CHUNK_PUSH_PROTOCOL_ID} ${chunkId} to ${peer.toString()}`, [host.signal, options.signal])
    let transfer: TransferStream | undefined
    try {
      transfer = await openTransfer(host, peer, CHUNK_PUSH_PROTOCOL_ID, clock)
      await transfer.writeHeader(pushRequestCodec, { cid: chunkIdToWire(chunkId), size: source.sizeBytes })
      const first = await transfer.readHeader(pushResponseCodec)
      if (first.status === PushStatus.ALREADY_HAD) {
        // The receiver closed its half after answering; closing ours ends the stream.
        await transfer.closeWrite()
        return 'already-had'
      }
      if (first.status !== PushStatus.READY) throw unexpected(first, 'READY or ALREADY_HAD', clock.context)
      if (!transfer.agreeFrameBytes(first.maxFrameSize)) {
        throw new JadfsError('PROTOCOL_ERROR', `${clock.context}: the receiver's frame limit of ${first.maxFrameSize} bytes is below the minimum of ${MIN_FRAME_BYTES}`)
      }
      await sendExactly(transfer, source, clock)
      await transfer.closeWrite()
      const final = await transfer.readHeaderAfterDiskPass(pushResponseCodec)
      if (final.status !== PushStatus.STORED) throw unexpected(final, 'STORED', clock.context)
      return 'stored'
    } catch (err) {
      transfer?.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    } finally {
      clock.clear()
    }
  } finally {
    await source.close?.()
  }
}

/** A push source reading a chunk of the local store, re-hashed before its first byte. */
export async function openPushSource (store: ChunkProtocolStore, cid: string): Promise<PushSource> {
  const chunk = await openVerifiedChunk(store, parseChunkCid(cid))
  return { sizeBytes: chunk.sizeBytes, body: chunk.read(0, chunk.sizeBytes), close: chunk.close }
}

/**
 * A push source for a chunk this process committed moments ago (a put copying its fresh
 * chunks): no second hash pass before sending, since commit() hashed the bytes on their way
 * to disk and the receiver re-hashes all it gets. Sizes come from the store's index.
 */
export async function openFreshPushSource (store: ChunkProtocolStore & { chunks: Pick<ChunkStore, 'openJustCommitted'> }, cid: string): Promise<PushSource> {
  const chunkId = parseChunkCid(cid)
  const row = store.index.get(chunkId)
  if (row === undefined || row.state !== 'ok') throw new JadfsError('CHUNK_NOT_FOUND', `chunk ${chunkId} is not stored on this node`, { details: { cid: chunkId } })
  const handle = await store.chunks.openJustCommitted(chunkId)
  return { sizeBytes: row.sizeBytes, body: readChunkRange(handle, chunkId, 0, row.sizeBytes), close: async () => { await handle.close() } }
}

// Our own source is not the peer, so it runs under the total deadline and the caller's
// signal but not the idle one; a source stuck in its own wait still ends with the call.
async function sendExactly (transfer: TransferStream, source: PushSource, clock: TransferClock): Promise<void> {
  const pieces = toAsyncIterator(source.body)
  let sentBytes = 0
  try {
    while (sentBytes <= source.sizeBytes) {
      const next = await raceSignal(Promise.resolve(pieces.next()), clock.signal)
      if (next.done === true) break
      sentBytes += next.value.byteLength
      if (sentBytes <= source.sizeBytes) await transfer.writeData(next.value)
    }
  } finally {
    // Not awaited: a generator suspended in its own await settles return() only after it.
    Promise.resolve(pieces.return?.()).catch(() => {})
  }
  if (sentBytes !== source.sizeBytes) {
    throw new JadfsError('INVALID_ARGUMENT', `${clock.context}: the source yielded ${sentBytes > source.sizeBytes ? 'more than' : 'only'} ${Math.min(sentBytes, source.sizeBytes)} of the ${source.sizeBytes} bytes it declared`)
  }
}

function toAsyncIterator (body: PushSource['body']): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  // Arrays and other sync iterables are accepted for convenience.
  return Symbol.asyncIterator in body ? body[Symbol.asyncIterator]() : body[Symbol.iterator]()
}

function unexpected (res: PushResponse, wanted: string, context: string): JadfsError {
  if (res.status === PushStatus.REFUSED && res.errorCode !== '') return fromWireError({ code: res.errorCode, message: res.errorMessage }, context)
  return new JadfsError('PROTOCOL_ERROR', `${context}: the receiver answered ${res.status}, expected ${wanted}`)
}
