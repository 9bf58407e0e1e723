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
}

/** An operating error we answer with; anything else is a bug and resets the stream. */
export function asRefusal (err: unknown): WireError | undefined {
  return err instanceof JadfsError ? toWireError(err) : undefined
}

export function busy (peer: string): JadfsError {
  return new JadfsError('PEER_BUSY', `too many chunk transfers in progress (from ${peer} or in total); retry later or ask another holder`)
}
