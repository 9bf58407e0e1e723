// Serves both chunk protocols from one local store, with one pool of transfer slots: fetches
// served and pushes received count against the same per-peer and total limits, since both
// cost the same disk, hashing and stream buffers here.
import type { PeerId } from '@libp2p/interface'
import type { StoredChunk } from '../../../store/chunk-store.js'
import type { HandlerHost } from '../handle-protocol.js'
import { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID, MAX_OUTBOUND_STREAMS, resolveServerLimits } from './constants.js'
import type { ChunkServerLimits } from './constants.js'
import type { ChunkProtocolStore } from './local-chunk.js'
import { serveFetch } from './serve-fetch.js'
import { servePush } from './serve-push.js'
import type { ServerContext } from './server-context.js'
import { TransferSlots } from '../transfer-slots.js'

export interface ChunkProtocolInit {
  readonly store: ChunkProtocolStore
  readonly limits?: Partial<ChunkServerLimits>
  /** Called for each pushed chunk once it is durably stored (e.g. to announce it). */
  readonly onStored?: (chunk: StoredChunk, from: PeerId) => void
  /**
   * Claims room for a pushed chunk of this size (free space, less any reserve, less what
   * other writes have claimed): the release, called once the chunk is stored or abandoned;
   * NO_SPACE when it does not fit, answered before the sender sends a byte. `signal` aborts
   * when the push stops waiting for it (limits.roomWaitMs, the transfer deadline, the host
   * stopping): the hook must then reject at once, and release a claim granted after that
   * itself (as DiskRoom.claim does).
   * @default always room: a full disk is then found while writing, after the sender has
   * sent everything.
   */
  readonly claimRoom?: (sizeBytes: number, signal: AbortSignal) => Promise<() => void>
}

export interface ChunkProtocolServer {
  /** Inbound transfers holding a slot right now. */
  readonly activeTransfers: () => number
  /** Stops taking new streams; transfers in progress end with the host or their deadlines. */
  readonly stop: () => Promise<void>
}

export type ChunkHandlerHost = HandlerHost & { unhandle: (protocol: string) => Promise<void> }

export async function handleChunkProtocol (host: ChunkHandlerHost, init: ChunkProtocolInit): Promise<ChunkProtocolServer> {
  const limits = resolveServerLimits(init.limits)
  const slots = new TransferSlots(limits.maxTransfersPerPeer, limits.maxTransfersTotal)
  const ctx: ServerContext = {
    host,
    store: init.store,
    limits,
    slots,
    ...(init.onStored === undefined ? {} : { onStored: init.onStored }),
    ...(init.claimRoom === undefined ? {} : { claimRoom: init.claimRoom })
  }
  const streamLimits = { maxInboundStreams: limits.maxInboundStreams, maxOutboundStreams: MAX_OUTBOUND_STREAMS }
  await host.handle(CHUNK_FETCH_PROTOCOL_ID, (stream, connection) => { void serveFetch(ctx, stream, connection) }, streamLimits)
  await host.handle(CHUNK_PUSH_PROTOCOL_ID, (stream, connection) => { void servePush(ctx, stream, connection) }, streamLimits)
  return {
    activeTransfers: () => slots.inUse,
    stop: async () => {
      await host.unhandle(CHUNK_FETCH_PROTOCOL_ID)
      await host.unhandle(CHUNK_PUSH_PROTOCOL_ID)
    }
  }
}
