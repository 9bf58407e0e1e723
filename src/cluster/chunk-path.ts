// Everything a peer does with chunks beyond its own disk, assembled: where chunks are (DHT
// provider records, the gossip-fed location cache), serving fetches, pushes and have queries,
// copying chunks as a put writes them, the durable debt queue and the replicator paying it,
// reading chunks held elsewhere, and the repair scan that finds copies lost with a peer.
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import type { LocalFileServiceWithNamespace } from '../files/local-file-service.js'
import type { Logger } from '../log/logger.js'
import { HAVE_PROTOCOL_ID, handleHave, requestHave } from '../p2p/index.js'
import type { JadfsHost } from '../p2p/index.js'
import type { ClusterGossip } from '../p2p/gossip/cluster-gossip.js'
import type { PeerMonitor } from '../p2p/gossip/peer-monitor.js'
import { fetchChunk, handleChunkProtocol, openFreshPushSource, openPushSource, pushChunk } from '../p2p/protocols/chunk/index.js'
import { ChunkAnnouncer } from './chunk-announcer.js'
import { ChunkReplication } from './chunk-replication.js'
import type { PlacementCandidate } from './chunk-replication.js'
import type { ChunkLocations } from './locate/chunk-locations.js'
import { choosePeers, rankForReading, rankPeers } from './placement/rendezvous.js'
import { dhtAnnouncements } from './provide/dht-announcements.js'
import { ProvideScheduler } from './provide/provide-scheduler.js'
import { RemoteChunkReader } from './remote-chunk-reader.js'
import { RepairScanner } from './repair/repair-scanner.js'
import { ReplicationQueue } from './replication/replication-queue.js'
import { Replicator } from './replication/replicator.js'

const ANNOUNCE_INTERVAL_MS = 1000
const REPLICATOR_INTERVAL_MS = 1000
/** a full repair scan this often, and this long after a peer is declared dead */
const REPAIR_INTERVAL_MS = 10 * 60_000
const REPAIR_AFTER_DEATH_MS = 2000

export interface ChunkPathInit {
  readonly host: JadfsHost
  readonly files: LocalFileServiceWithNamespace
  readonly selfId: string
  readonly gossip: ClusterGossip
  readonly monitor: PeerMonitor
  readonly locations: ChunkLocations
  readonly dataDir: string
  readonly logger: Logger
  /** registers a step to run at stop; steps run in reverse order */
  readonly onStop: (step: () => Promise<void> | void) => void
  /** aborted when the node begins to stop, before any stop step runs */
  readonly stopping: AbortSignal
}

export interface ChunkPath {
  readonly replication: ChunkReplication
  readonly reader: RemoteChunkReader
  readonly announcer: ChunkAnnouncer
  readonly queue: ReplicationQueue
  /** schedules a repair scan soon: a peer was declared dead */
  readonly repairSoon: () => void
  /** of these cached copies, those some live peer holds as a copy: only those may be evicted */
  readonly confirmEvictable: (cids: readonly string[]) => Promise<ReadonlySet<string>>
}

/** a have round before an eviction gives up on a silent peer after this long */
const EVICTION_CHECK_MS = 10_000

export async function startChunkPath (init: ChunkPathInit): Promise<ChunkPath> {
  const { host, files, selfId, gossip, monitor, locations, logger, onStop } = init
  const store = { chunks: files.chunkStore, index: files.chunkIndex }
  // a cached copy (fetched for a read, evicted when unused) is not one of the chunk's copies
  const localCopy = (cid: string): 'copy' | 'cached' | 'none' => {
    const row = files.chunkIndex.get(cid)
    if (row?.state !== 'ok') return 'none'
    return row.cached ? 'cached' : 'copy'
  }
  // reads keep what they fetch as cached copies
  const readCache = {
    createWriter: async () => await files.chunkStore.createWriter(),
    commit: async (writer: Parameters<typeof files.chunkStore.commit>[0], options: { expectedCid?: string } = {}) =>
      await files.chunkStore.commit(writer, { ...options, cached: true })
  }
  const livePeers = (): PlacementCandidate[] => monitor.table.list('alive')
    .filter((p) => p.peerId !== selfId)
    .map((p) => ({ peerId: p.peerId, weight: p.heartbeat.freeBytes }))
  // batched "which of these do you hold as copies?" (repair, and confirming an eviction)
  const askHave = async (peerId: string, cids: readonly string[], signal: AbortSignal): Promise<boolean[]> =>
    await requestHave(host, peerIdFromString(peerId), cids.map((cid) => CID.parse(cid)), { signal })

  // where chunks are: DHT provider records (rate-limited, re-provided) and a gossip-fed cache
  const announcements = dhtAnnouncements(host.dht, host.logger)
  const provides = new ProvideScheduler({
    provide: announcements.provide,
    nowMs: Date.now,
    logger: host.logger
  })
  provides.add(files.chunkIndex.local().filter((row) => row.state === 'ok').map((row) => row.cid))
  provides.start()
  onStop(async () => { await provides.stop() })
  onStop(gossip.onChunkEvent((event) => {
    const from = event.from.toString()
    for (const cid of event.cids) {
      if (event.kind === 'stored') locations.add(cid.toString(), from)
      else locations.remove(cid.toString(), from)
    }
  }))

  const announcer = new ChunkAnnouncer({
    publishStored: async (cids) => { await gossip.publishChunkEvent('stored', cids) },
    publishDeleted: async (cids) => { await gossip.publishChunkEvent('deleted', cids) },
    provide: (cids) => { provides.add(cids) },
    unprovide: (cid) => {
      provides.remove(cid)
      void announcements.withdraw(cid)
    },
    logger
  })
  announcer.start(ANNOUNCE_INTERVAL_MS)
  onStop(() => { announcer.stop() })

  // fresh: a chunk a put just committed here (no second hash pass before sending)
  const push = async (peerId: string, cid: string, signal: AbortSignal | undefined, fresh = false): Promise<'stored' | 'already-had'> => {
    const source = fresh ? await openFreshPushSource(store, cid) : await openPushSource(store, cid)
    const outcome = await pushChunk(host, peerIdFromString(peerId), cid, source, signal === undefined ? {} : { signal })
    locations.add(cid, peerId)
    return outcome
  }

  const chunkServer = await handleChunkProtocol(host, {
    store,
    onStored: (chunk) => { announcer.announce(chunk.cid) },
    claimRoom: async (sizeBytes, signal) => await files.claimRoom(sizeBytes, 'a chunk pushed by a peer', signal)
  })
  onStop(async () => { await chunkServer.stop() })
  // batched "which of these do you hold?", for peers checking copies without moving bytes
  await handleHave(host, (cid) => localCopy(cid.toString()) === 'copy')
  onStop(async () => { await host.unhandle(HAVE_PROTOCOL_ID) })

  const queue = ReplicationQueue.open(join(init.dataDir, 'replication.sqlite'))
  onStop(() => { queue.close() })
  const recordDebt = (cid: string, sizeBytes: number, want: number, holders: readonly string[]): void => {
    queue.enqueue(cid, sizeBytes, want, holders, Date.now())
  }
  const replication = new ChunkReplication({
    selfId,
    livePeers,
    choose: (cid, peers, count, exclude) => choosePeers(cid, peers, count, exclude),
    push: async (peerId, cid, signal) => await push(peerId, cid, signal, true),
    recordDebt,
    logger
  })

  const reader = new RemoteChunkReader({
    localState: (cid) => files.chunkIndex.get(cid)?.state ?? 'absent',
    hasPeers: () => host.connectedPeers().length > 0,
    candidates: (cid) => {
      const live = livePeers()
      const alive = new Set(live.map((p) => p.peerId))
      return [...new Set([...locations.holders(cid).filter((p) => alive.has(p)), ...rankForReading(cid, live)])]
    },
    findProviders: (cid, signal) => findProviders(host, cid, selfId, signal),
    makeRoom: async (chunk, signal) => {
      return await files.claimRoom(chunk.sizeBytes, `chunk ${chunk.cid} for the read, even after evicting the cached copies it could; read through another peer, or free space in its data directory`, signal)
    },
    fetchInto: async (peerId, chunk, signal) => {
      const received = await fetchChunk(host, peerIdFromString(peerId), chunk.cid, { store: readCache, expectedSizeBytes: chunk.sizeBytes, signal })
      received.release()
    },
    onFetched: (cid, from) => {
      locations.add(cid, from)
      announcer.announce(cid)
    },
    signal: AbortSignal.any([host.signal, init.stopping]),
    logger
  })

  // pays replication debt (async puts, copies a put could not make) as peers allow
  const replicator = new Replicator({
    queue,
    selfId,
    livePeers,
    // the replicator counts this peer among the holders: a cached copy it pays debt from
    // must then stay (and one evicted meanwhile leaves nothing to pay from)
    holdsLocally: (cid) => {
      const local = localCopy(cid)
      return local === 'copy' || (local === 'cached' && files.chunkIndex.keepAsCopy(cid))
    },
    push: async (peerId, cid, signal) => await push(peerId, cid, signal),
    nowMs: Date.now,
    logger: host.logger
  })
  replicator.start(REPLICATOR_INTERVAL_MS)
  onStop(async () => { await replicator.stop() })

  const repairStopping = new AbortController()
  const repairSoon = startRepair(new RepairScanner({
    selfId,
    listFiles: (after, limit) => files.namespace.files.list('/', after, limit),
    localCopy,
    keepAsCopy: (cid) => files.chunkIndex.keepAsCopy(cid),
    livePeers,
    askHave: async (peerId, cids, signal) => await askHave(peerId, cids, signal),
    rank: rankPeers,
    recordDebt,
    signal: repairStopping.signal,
    logger
  }), repairStopping, logger, onStop)

  const confirmEvictable = async (cids: readonly string[]): Promise<ReadonlySet<string>> => {
    const signal = AbortSignal.any([host.signal, AbortSignal.timeout(EVICTION_CHECK_MS)])
    const held = new Set<string>()
    await Promise.allSettled(livePeers().map(async (p) => {
      const has = await askHave(p.peerId, cids, signal)
      has.forEach((yes, i) => { if (yes) held.add(cids[i] as string) })
    }))
    return held
  }

  return { replication, reader, announcer, queue, repairSoon, confirmEvictable }
}

/** scans every REPAIR_INTERVAL_MS, and soon after a peer dies; returns "scan soon" */
function startRepair (repair: RepairScanner, stopping: AbortController, logger: Logger, onStop: ChunkPathInit['onStop']): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const schedule = (delayMs: number): void => {
    if (stopping.signal.aborted) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      repair.scan().catch((err: Error) => { if (!stopping.signal.aborted) logger.warn({ err: err.message }, 'repair scan failed') })
      schedule(REPAIR_INTERVAL_MS)
    }, delayMs)
    timer.unref()
  }
  schedule(REPAIR_INTERVAL_MS)
  onStop(() => {
    clearTimeout(timer)
    stopping.abort()
  })
  return () => { schedule(REPAIR_AFTER_DEATH_MS) }
}

async function * findProviders (host: JadfsHost, cid: string, selfId: string, signal: AbortSignal): AsyncIterable<string> {
  for await (const event of host.dht.findProviders(CID.parse(cid), { signal })) {
    if (event.name !== 'PROVIDER') continue
    for (const p of event.providers) {
      const id = p.id.toString()
      if (id !== selfId) yield id
    }
  }
}
