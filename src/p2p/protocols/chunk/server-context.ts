// What each served transfer needs, shared by the fetch and push handlers of one host.
import type { PeerId } from '@libp2p/interface'
import type { StoredChunk } from '../../../store/chunk-store.js'
import type { HandlerHost } from '../handle-protocol.js'
import { startDeadline } from '../deadline.js'
import { abortReason } from '../../../util/race-signal.js'
import { toWireError } from '../remote-error.js'
import type { WireError } from '../remote-error.js'
import { JadfsError } from '../../../errors.js'
import type { ChunkServerLimits } from './constants.js'
import type { ChunkProtocolStore } from './local-chunk.js'
import type { TransferSlots } from '../transfer-slots.js'

export interface ServerContext {
  readonly host: HandlerHost
  readonly store: ChunkProtocolStore
  readonly limits: ChunkServerLimits
  readonly slots: TransferSlots
  readonly onStored?: (chunk: StoredChunk, from: PeerId) => void
  readonly claimRoom?: (sizeBytes: number, signal: AbortSignal) => Promise<() => void>
}

/** An operating error we answer with; anything else is a bug and is not answered. */
export function asRefusal (err: unknown): WireError | undefined {
  return err instanceof JadfsError ? toWireError(err) : undefined
}

/** A transfer slot for `peer`, or PEER_BUSY naming the limit that was reached. */
export function takeSlot (ctx: ServerContext, peer: string): () => void {
  const slot = ctx.slots.tryAcquire(peer)
  if (typeof slot === 'function') return slot
  const which = slot === 'peer-limit'
    ? `${ctx.limits.maxTransfersPerPeer} from ${peer}`
    : `${ctx.limits.maxTransfersTotal} in total`
  throw new JadfsError('PEER_BUSY', `already serving ${which} chunk transfers; retry later or ask another holder`, { details: { limit: slot } })
}

/**
 * Room on our disk for a pushed chunk, waited for at most limits.roomWaitMs (and no longer
 * than the transfer itself may take). The wait holds a transfer slot and keeps the sender
 * waiting for its first answer, so a ledger that cannot decide in time (a slow disk query,
 * a long eviction, claims queued ahead) is answered PEER_BUSY: the sender tries later or
 * another peer. undefined without a claimRoom hook.
 */
export async function claimRoomWithin (ctx: ServerContext, sizeBytes: number, transfer: AbortSignal): Promise<(() => void) | undefined> {
  const claim = ctx.claimRoom
  if (claim === undefined) return undefined
  const ms = ctx.limits.roomWaitMs
  const wait = startDeadline(ms, `making room for a pushed chunk of ${sizeBytes} bytes`, [transfer])
  try {
    // the hook stops at the signal and gives back a claim granted after it (DiskRoom.claim)
    return await claim(sizeBytes, wait.signal)
  } catch (err) {
    if (!wait.signal.aborted) throw err
    if (transfer.aborted) throw abortReason(transfer)
    throw new JadfsError('PEER_BUSY', `no room could be made on this peer's disk for ${sizeBytes} bytes within ${ms} ms; retry later or push to another peer`,
      { details: { limit: 'room-wait', sizeBytes } })
  } finally {
    wait.clear()
  }
}
