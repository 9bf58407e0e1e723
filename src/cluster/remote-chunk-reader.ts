// Reading chunks this peer does not hold: find a holder (the location cache fed by gossip,
// then the placement ranking of live peers, then DHT provider records), fetch the whole
// chunk into the local store (re-hashed on the way in, filed only if it matches its id), and
// let the normal verified read path serve it. A read prefetches a few chunks ahead, so
// fetches from several peers overlap with streaming to the client, while the client still
// gets the bytes in order.
import { JadfsError } from '../errors.js'
import type { ReadSession } from '../files/cluster-hooks.js'
import type { ChunkRef } from '../files/file-service.js'
import { raceSignal } from '../util/race-signal.js'

export interface RemoteChunkReaderComponents {
  /** this peer's copy: 'bad' once it failed a hash check (a good copy from a peer replaces it) */
  localState: (cid: string) => 'ok' | 'bad' | 'absent'
  /** false when no peer is connected: nobody to ask, not even the DHT */
  hasPeers: () => boolean
  /** peers likely to hold the chunk, best first (cache, then placement) */
  candidates: (cid: string) => string[]
  /** DHT provider lookup, the slow path; its signal aborts at the lookup deadline */
  findProviders: (cid: string, signal: AbortSignal) => AsyncIterable<string>
  /** how long a DHT provider lookup may take @default PROVIDER_LOOKUP_MS */
  readonly providerLookupMs?: number
  /**
   * Before a fetch: makes room for the chunk here (evicting cached copies) and holds it
   * until the returned release is called, or throws NO_SPACE, which is this peer's problem,
   * not the holders', so no peer is tried.
   */
  makeRoom: (chunk: ChunkRef, signal: AbortSignal) => Promise<() => void>
  /** fetches the whole chunk from the peer into the local store, verified */
  fetchInto: (peerId: string, chunk: ChunkRef, signal: AbortSignal) => Promise<void>
  onFetched: (cid: string, fromPeerId: string) => void
  /** aborted when the node stops */
  readonly signal: AbortSignal
  logger: { debug: (obj: object, msg?: string) => void, warn: (obj: object, msg?: string) => void }
}

/** chunks fetched ahead of the one being streamed, per read */
export const READ_AHEAD_CHUNKS = 3
/** a DHT provider lookup is given up after this long (a provider found by then is still fetched from) */
const PROVIDER_LOOKUP_MS = 5_000
/** peers tried per chunk before giving up */
const MAX_SOURCES_TRIED = 8

export class RemoteChunkReader {
  /** one fetch per chunk at a time, shared by every reader that needs it */
  private readonly inFlight = new Map<string, Promise<void>>()

  constructor (private readonly c: RemoteChunkReaderComponents) {}

  /** `signal` (the reader's, e.g. its client going away) ends its waits; fetches other readers share go on */
  openRead (chunks: readonly ChunkRef[], signal?: AbortSignal): ReadSession {
    let cursor = 0
    return {
      beforeOpen: async (chunk) => {
        const at = chunks.indexOf(chunk, cursor)
        if (at >= 0) cursor = at
        // the chunk the client waits for is asked for first: started after its read-ahead, it
        // would queue behind them for the holder's per-peer transfer slots (or get PEER_BUSY)
        const current = this.ensureLocal(chunk)
        for (let i = cursor + 1; i < Math.min(chunks.length, cursor + 1 + READ_AHEAD_CHUNKS); i++) {
          this.ensureLocal(chunks[i] as ChunkRef).catch(() => {})
        }
        await (signal === undefined ? current : raceSignal(current, signal))
      }
    }
  }

  async ensureLocal (chunk: ChunkRef): Promise<void> {
    if (this.c.localState(chunk.cid) === 'ok') return
    let fetching = this.inFlight.get(chunk.cid)
    if (fetching === undefined) {
      fetching = this.fetchFromSomeone(chunk).finally(() => { this.inFlight.delete(chunk.cid) })
      this.inFlight.set(chunk.cid, fetching)
    }
    await fetching
  }

  private async fetchFromSomeone (chunk: ChunkRef): Promise<void> {
    // the node's signal, not a reader's: the fetch is shared by every reader of the chunk
    const releaseRoom = await this.c.makeRoom(chunk, this.c.signal)
    try {
      await this.fetchWithRoom(chunk)
    } finally {
      releaseRoom()
    }
  }

  private async fetchWithRoom (chunk: ChunkRef): Promise<void> {
    const tried = new Set<string>()
    const errors: string[] = []
    const attempt = async (peerId: string): Promise<boolean> => {
      if (tried.has(peerId) || tried.size >= MAX_SOURCES_TRIED) return false
      tried.add(peerId)
      try {
        await this.c.fetchInto(peerId, chunk, this.c.signal)
        this.c.onFetched(chunk.cid, peerId)
        return true
      } catch (err) {
        errors.push(`${peerId}: ${(err as Error).message}`)
        this.c.logger.debug({ cid: chunk.cid, peerId, err: (err as Error).message }, 'a peer could not supply a chunk')
        return false
      }
    }
    for (const peerId of this.c.candidates(chunk.cid)) {
      if (await attempt(peerId)) return
      this.c.signal.throwIfAborted()
    }
    if (this.c.hasPeers()) {
      const lookup = AbortSignal.any([this.c.signal, AbortSignal.timeout(this.c.providerLookupMs ?? PROVIDER_LOOKUP_MS)])
      try {
        for await (const peerId of this.c.findProviders(chunk.cid, lookup)) {
          if (await attempt(peerId)) return
        }
      } catch (err) {
        errors.push(`DHT lookup: ${(err as Error).message}`)
      }
    }
    this.c.signal.throwIfAborted()
    if (this.c.localState(chunk.cid) === 'bad') {
      throw new JadfsError('CHUNK_CORRUPT', `chunk ${chunk.cid} failed its integrity check on this peer and no peer could supply a good copy (${tried.size} tried); it was not served`,
        { details: { cid: chunk.cid, tried: [...tried] } })
    }
    throw new JadfsError('CHUNK_UNAVAILABLE', `no reachable peer could supply chunk ${chunk.cid} (${tried.size} tried)` + (errors.length > 0 ? `: ${errors.slice(0, 3).join('; ')}` : ''),
      { details: { cid: chunk.cid, tried: [...tried] } })
  }
}
