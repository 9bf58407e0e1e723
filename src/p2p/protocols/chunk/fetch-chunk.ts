// The asker's side of a fetch. Two shapes:
// - with `store`: the whole chunk is written through the store's write-while-hashing path
//   and filed only if it hashes to `cid` (else CHECKSUM_MISMATCH, nothing stored);
// - without: the bytes are yielded as they arrive. For a whole chunk they are hashed on the
//   way, and the body throws CHECKSUM_MISMATCH at its end instead of finishing if they do
//   not match, so a consumer may act on the bytes only once the iteration completes.
//
// Ranges. SHA-256 is not a tree hash: a part of a chunk cannot be checked against the
// chunk id without all the other bytes. A range fetch is therefore only as good as the
// holder's check, which the holder makes on the whole chunk before it sends the first byte
// (it answers CHUNK_CORRUPT instead). So range results are marked `verification:
// 'holder'`, are never stored (range with store is INVALID_ARGUMENT), and must only be
// served where the holder's check is enough; a reader that has to vouch for bytes itself
// fetches the whole chunk into its store and reads the range from its verified copy.
import { createHash } from 'node:crypto'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { parseChunkCid, sha256OfChunkCid } from '../../../chunk/cid.js'
import { JadfsError } from '../../../errors.js'
import { receiveChunk } from '../../../store/receive-chunk.js'
import type { ChunkReceiver, ReceivedChunk } from '../../../store/receive-chunk.js'
import { fromWireError } from '../remote-error.js'
import type { RequestHost } from '../request.js'
import { fetchRequestCodec, fetchResponseCodec } from './codecs.js'
import type { FetchResponse } from './chunk.js'
import { CHUNK_FETCH_PROTOCOL_ID, resolveTransferLimits } from './constants.js'
import type { ChunkTransferLimits } from './constants.js'
import { openTransfer } from './open-transfer.js'
import { TransferClock } from './transfer-stream.js'
import type { TransferStream } from './transfer-stream.js'
import { chunkIdToWire } from './wire-cid.js'

export interface ChunkRange {
  readonly offsetBytes: number
  /** Clipped to the end of the chunk. */
  readonly lengthBytes: number
}

export interface FetchChunkOptions {
  readonly signal?: AbortSignal
  readonly range?: ChunkRange
  /** The chunk's size if known (a file record lists it): a holder announcing another fails at once. */
  readonly expectedSizeBytes?: number
  readonly limits?: Partial<ChunkTransferLimits>
}

export interface FetchIntoStoreOptions extends Omit<FetchChunkOptions, 'range'> {
  readonly store: ChunkReceiver
}

export interface FetchedBytes {
  readonly totalSizeBytes: number
  readonly offsetBytes: number
  readonly lengthBytes: number
  /** 'fetcher': hashed here against the id (whole chunk); 'holder': a range, see above. */
  readonly verification: 'fetcher' | 'holder'
  /** Iterate it to the end or break out of it: either releases the stream. */
  readonly body: AsyncIterable<Uint8Array>
}

export async function fetchChunk (host: RequestHost, peer: PeerId | Multiaddr, cid: string, options: FetchIntoStoreOptions): Promise<ReceivedChunk>
export async function fetchChunk (host: RequestHost, peer: PeerId | Multiaddr, cid: string, options?: FetchChunkOptions): Promise<FetchedBytes>
export async function fetchChunk (host: RequestHost, peer: PeerId | Multiaddr, cid: string, options: FetchChunkOptions & { store?: ChunkReceiver } = {}): Promise<ReceivedChunk | FetchedBytes> {
  const chunkId = parseChunkCid(cid)
  const range = options.range
  if (range !== undefined) checkRange(range, options.store !== undefined)
  const limits = resolveTransferLimits(options.limits)
  const expected = options.expectedSizeBytes
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0 || expected > limits.maxChunkBytes)) {
    throw new JadfsError('INVALID_ARGUMENT', `an expected chunk size must be 0 to ${limits.maxChunkBytes} bytes, got ${expected}`)
  }
  const clock = new TransferClock(limits, `${CHUNK_FETCH_PROTOCOL_ID} ${chunkId} from ${peer.toString()}`, [host.signal, options.signal])
  let handedOver = false
  let transfer: TransferStream | undefined
  try {
    transfer = await openTransfer(host, peer, CHUNK_FETCH_PROTOCOL_ID, clock)
    await transfer.writeHeader(fetchRequestCodec, {
      cid: chunkIdToWire(chunkId), offset: range?.offsetBytes ?? 0, length: range?.lengthBytes ?? 0, maxFrameSize: limits.maxFrameBytes
    })
    await transfer.closeWrite()
    const header = await transfer.readHeaderAfterDiskPass(fetchResponseCodec)
    if (header.errorCode !== '') throw fromWireError({ code: header.errorCode, message: header.errorMessage }, clock.context)
    checkHeader(header, range, options.expectedSizeBytes ?? limits.maxChunkBytes, options.expectedSizeBytes !== undefined, clock.context)
    const data = frames(transfer, header.length, clock.context)
    if (options.store !== undefined) return await receiveChunk(options.store, chunkId, data)
    handedOver = true
    return {
      totalSizeBytes: header.totalSize,
      offsetBytes: header.offset,
      lengthBytes: header.length,
      verification: range === undefined ? 'fetcher' : 'holder',
      body: released(range === undefined ? hashChecked(data, chunkId, clock.context) : data, transfer, clock)
    }
  } catch (err) {
    // Whatever failed (the peer, our store, the caller), the stream is not reused.
    transfer?.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    if (!handedOver) clock.clear()
  }
}

function checkRange (range: ChunkRange, intoStore: boolean): void {
  if (intoStore) throw new JadfsError('INVALID_ARGUMENT', 'a range of a chunk cannot be checked against its id, so it is never stored; fetch the whole chunk')
  const { offsetBytes, lengthBytes } = range
  if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0 || !Number.isSafeInteger(lengthBytes) || lengthBytes < 1 || offsetBytes > 0xffff_ffff || lengthBytes > 0xffff_ffff) {
    throw new JadfsError('INVALID_ARGUMENT', `a chunk range needs an offset >= 0 and a length >= 1 (bytes), got ${offsetBytes} + ${lengthBytes}`)
  }
}

// The header must describe exactly what was asked for, within our limits; a holder that
// announces anything else is not trusted with the bytes either.
function checkHeader (header: FetchResponse, range: ChunkRange | undefined, sizeBytes: number, sizeKnown: boolean, context: string): void {
  const total = header.totalSize
  const wantOffset = range?.offsetBytes ?? 0
  const wantLength = range === undefined ? total : Math.min(range.lengthBytes, total - wantOffset)
  let why: string | undefined
  if (sizeKnown && total !== sizeBytes) why = `a chunk of ${total} bytes, expected ${sizeBytes}`
  else if (total > sizeBytes) why = `a chunk of ${total} bytes, over the limit of ${sizeBytes}`
  else if (header.offset !== wantOffset || header.length !== wantLength) why = `bytes ${header.offset} + ${header.length} of ${total}, asked for ${wantOffset} + ${wantLength}`
  if (why !== undefined) throw new JadfsError('PROTOCOL_ERROR', `${context}: the holder announced ${why}`)
}

/** Exactly `lengthBytes` of data frames, then the end of the stream. */
async function * frames (transfer: TransferStream, lengthBytes: number, context: string): AsyncGenerator<Uint8Array> {
  let receivedBytes = 0
  while (receivedBytes < lengthBytes) {
    const frame = await transfer.readFrameOrEnd()
    if (frame === undefined) throw violation(transfer, `${context}: the holder closed after ${receivedBytes} of ${lengthBytes} bytes`)
    receivedBytes += frame.byteLength
    if (receivedBytes > lengthBytes) throw violation(transfer, `${context}: the holder sent more than the ${lengthBytes} bytes it announced`)
    yield * frame
  }
  if (await transfer.readEnd() !== undefined) throw violation(transfer, `${context}: the holder sent more than the ${lengthBytes} bytes it announced`)
}

async function * hashChecked (data: AsyncIterable<Uint8Array>, cid: string, context: string): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256')
  for await (const frame of data) {
    hash.update(frame)
    yield frame
  }
  if (!Buffer.from(sha256OfChunkCid(cid)).equals(hash.digest())) {
    throw new JadfsError('CHECKSUM_MISMATCH', `${context}: the received bytes do not hash to the chunk id; discard them`)
  }
}

/** Resets the stream if the consumer stops early, and stops the clocks either way. */
async function * released (body: AsyncIterable<Uint8Array>, transfer: TransferStream, clock: TransferClock): AsyncGenerator<Uint8Array> {
  let finished = false
  try {
    yield * body
    finished = true
  } finally {
    if (!finished) transfer.abort(new JadfsError('PROTOCOL_ERROR', `${clock.context}: the fetch was abandoned`))
    clock.clear()
  }
}

function violation (transfer: TransferStream, message: string): JadfsError {
  const err = new JadfsError('PROTOCOL_ERROR', message)
  transfer.abort(err)
  return err
}
