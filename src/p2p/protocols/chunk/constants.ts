// Protocol ids and limits of the chunk transfer protocols. Fetch and push are separate
// protocol ids: libp2p enforces its inbound stream limit per protocol id, so a burst of
// replication pushes cannot use up the streams readers need to fetch, and each id has one
// header shape and one handler instead of a tagged union to dispatch on.
import { MAX_CHUNK_SIZE_BYTES } from '../../../chunk/chunk-size.js'
import { assert } from '../../../util/assert.js'

export const CHUNK_FETCH_PROTOCOL_ID = '/jadfs/chunk/fetch/1.0.0'
export const CHUNK_PUSH_PROTOCOL_ID = '/jadfs/chunk/push/1.0.0'

/** Smallest frame limit a peer may ask for: smaller frames would cost more in overhead than data. */
export const MIN_FRAME_BYTES = 4096

/** Headers are a CID, a few integers and an error message of at most 512 characters. */
export const MAX_HEADER_BYTES = 4096

export interface ChunkTransferLimits {
  /**
   * Largest data frame sent or accepted. Bounds what one side buffers per stream.
   * @default 262144 (256 KiB)
   */
  readonly maxFrameBytes: number
  /**
   * Largest chunk sent or accepted; bigger declared sizes are refused before any data.
   * @default 268435456 (256 MiB, the largest chunk size the store allows)
   */
  readonly maxChunkBytes: number
  /**
   * Longest wait for the peer to make progress: a header, the next frame, or room to send
   * the next frame. A peer silent for longer fails the transfer with TIMEOUT.
   * @default 15000
   */
  readonly idleTimeoutMs: number
  /**
   * Longest wait for an answer the peer can only give after a pass over the whole chunk on
   * its disk: the fetch header (the holder re-hashes the chunk before answering) and the
   * final push answer (the receiver syncs the chunk to disk). Replaces the idle deadline
   * for those two waits; a 256 MiB chunk on a busy disk can take seconds.
   * @default 60000
   */
  readonly diskPassTimeoutMs: number
  /**
   * Deadline for a whole transfer, dial to last byte, however steadily the peer trickles.
   * @default 300000 (256 MiB at under 1 MB/s is not a transfer worth keeping)
   */
  readonly transferTimeoutMs: number
}

export interface ChunkServerLimits extends ChunkTransferLimits {
  /**
   * Concurrent inbound transfers (fetches served plus pushes received) from one peer;
   * one more is answered PEER_BUSY.
   * @default 4
   */
  readonly maxTransfersPerPeer: number
  /**
   * Concurrent inbound transfers from all peers together; one more is answered PEER_BUSY.
   * @default 32
   */
  readonly maxTransfersTotal: number
  /**
   * Streams per connection and protocol id that libp2p lets in at all, counting those that
   * have not sent their header yet; above it libp2p resets the stream instead of our
   * PEER_BUSY answer, so it sits above maxTransfersPerPeer.
   * @default 16
   */
  readonly maxInboundStreams: number
  /**
   * Longest a received push waits for room on our disk (its turn in the room ledger, a disk
   * query, evicting cached copies) while holding a transfer slot; then it is answered
   * PEER_BUSY. Below the sender's idle deadline, so the sender gets that answer rather
   * than timing out on a silent peer: it must be below idleTimeoutMs (asserted).
   * @default 10000
   */
  readonly roomWaitMs: number
}

export const DEFAULT_TRANSFER_LIMITS: ChunkTransferLimits = Object.freeze({
  maxFrameBytes: 256 * 1024,
  maxChunkBytes: MAX_CHUNK_SIZE_BYTES,
  idleTimeoutMs: 15_000,
  diskPassTimeoutMs: 60_000,
  transferTimeoutMs: 300_000
})

export const DEFAULT_SERVER_LIMITS: ChunkServerLimits = Object.freeze({
  ...DEFAULT_TRANSFER_LIMITS,
  maxTransfersPerPeer: 4,
  maxTransfersTotal: 32,
  maxInboundStreams: 16,
  roomWaitMs: 10_000
})

/** Outbound streams per connection and protocol id; one more fails with PEER_BUSY locally. */
export const MAX_OUTBOUND_STREAMS = 32

/** The frame size to send: our limit, lowered to the peer's (0: the peer did not say). */
export function agreeFrameBytes (ours: number, theirs: number): number | undefined {
  if (theirs === 0) return ours
  return theirs < MIN_FRAME_BYTES ? undefined : Math.min(ours, theirs)
}

export function resolveTransferLimits (overrides: Partial<ChunkTransferLimits> = {}): ChunkTransferLimits {
  return checkLimits({ ...DEFAULT_TRANSFER_LIMITS, ...overrides })
}

export function resolveServerLimits (overrides: Partial<ChunkServerLimits> = {}): ChunkServerLimits {
  const limits = checkLimits({ ...DEFAULT_SERVER_LIMITS, ...overrides })
  assert(limits.maxTransfersTotal >= limits.maxTransfersPerPeer, 'maxTransfersTotal below maxTransfersPerPeer', limits)
  // the sender waiting for its first answer must get PEER_BUSY, not time out on a silent peer;
  // senders run the same idle deadline as ours unless told otherwise
  assert(limits.roomWaitMs < limits.idleTimeoutMs, 'roomWaitMs must be below idleTimeoutMs', limits)
  return limits
}

// Limits come from code, not from peers: a bad one is a programmer error.
function checkLimits<T extends ChunkTransferLimits> (limits: T): T {
  for (const [key, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && (value as number) > 0, `chunk protocol limit ${key} must be a positive integer`, { value })
  }
  assert(limits.maxFrameBytes >= MIN_FRAME_BYTES && limits.maxFrameBytes <= limits.maxChunkBytes, 'maxFrameBytes out of range', limits)
  assert(limits.maxChunkBytes <= 0xffff_ffff, 'sizes travel as uint32', limits)
  return Object.freeze(limits)
}
