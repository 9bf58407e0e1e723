// What each served transfer needs, shared by the fetch and push handlers of one host.
import type { PeerId } from '@libp2p/interface'
import type { StoredChunk } from '../../../store/chunk-store.js'
import type { HandlerHost } from '../handle-protocol.js'
import { toWireError } from '../remote-error.js'
import type { WireError } from '../remote-error.js'
import { JadfsError } from '../../../errors.js'
import type { ChunkServerLimits } from './constants.js'
import type { ChunkProtocolStore } from './local-chunk.js'
import type { TransferSlots } from './transfer-slots.js'

export interface ServerContext {
  readonly host: HandlerHost
  readonly store: ChunkProtocolStore
  readonly limits: ChunkServerLimits
  readonly slots: TransferSlots
  readonly onStored?: (chunk: StoredChunk, from: PeerId) => void
  readonly claimRoom?: (sizeBytes: number) => Promise<() => void>
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
