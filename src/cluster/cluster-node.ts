// One peer of a JaDFS cluster, assembled: identity and libp2p host, the local storage engine
// driven by the namespace's Raft log, gossip heartbeats and the peer table, the chunk path
// (chunk-path.ts), housekeeping (background-tasks.ts), the leader's membership manager and
// hand-made voter changes. Stops in the reverse order.
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerIdView } from '../api/cluster-view.js'
import type { DaemonConfig } from '../config/daemon-config.js'
import { JadfsError } from '../errors.js'
import type { ClusterHooks } from '../files/cluster-hooks.js'
import { openLocalFileService } from '../files/local-file-service.js'
import type { LocalFileServiceWithNamespace } from '../files/local-file-service.js'
import type { Logger } from '../log/logger.js'
import type { DhtProviderStoreStats } from '../p2p/dht-provider-store.js'
import { createJadfsHost, loadOrCreateIdentity, readClusterKey } from '../p2p/index.js'
import type { JadfsHost } from '../p2p/index.js'
import { ClusterGossip } from '../p2p/gossip/cluster-gossip.js'
import { HeartbeatPublisher } from '../p2p/gossip/heartbeat-publisher.js'
import { PeerMonitor } from '../p2p/gossip/peer-monitor.js'
import { startScheduledGc, startScrubLoop, startStatusRefresh } from './background-tasks.js'
import { startChunkPath } from './chunk-path.js'
import type { ChunkPath } from './chunk-path.js'
import type { ClusterControl } from './cluster-control.js'
import { clusterView, heartbeatRole, roomForChunks } from './cluster-view.js'
import { ChunkLocations } from './locate/chunk-locations.js'
import { dialableAddresses, readMemberBook } from './member-address-book.js'
import { confChangeRecorder, memberBookSaver } from './member-addresses.js'
import { MembershipManager } from './membership-manager.js'
import { RaftNamespaceLog } from './raft-namespace-log.js'
import { createVoterControl } from './voter-control.js'

const MEMBERSHIP_INTERVAL_MS = 1000
const MEMBER_BOOK_INTERVAL_MS = 5000

type Stop = () => Promise<void> | void

export interface ClusterNodeInit {
  readonly config: DaemonConfig
  readonly version: string
  readonly logger: Logger
}

export interface ClusterNode {
  readonly files: LocalFileServiceWithNamespace
  readonly control: ClusterControl
  readonly peerId: string
  /** provider records other peers made this one keep in the DHT */
  dhtProviderStats: () => Pick<DhtProviderStoreStats, 'records' | 'selfRecords' | 'refused'>
  /** the API address goes into heartbeats once the API listens */
  setApiUrl: (url: string) => void
  addrs: () => string[]
  stop: () => Promise<void>
}

export async function startClusterNode (init: ClusterNodeInit): Promise<ClusterNode> {
  const { config, logger } = init
  // a key file that cannot be used stops the start before anything is written to the data dir
  const clusterKey = config.clusterKeyFile === null ? undefined : await readClusterKey(config.clusterKeyFile)
  const identity = await loadOrCreateIdentity(config.dataDir)
  const selfId = identity.peerId.toString()
  const p2pLogger = logger.child({ component: 'p2p' })
  // a restarted peer dials the members it knew as well as --join
  const known = dialableAddresses(await readMemberBook(config.dataDir), selfId)
  const host = await createJadfsHost({
    privateKey: identity.privateKey,
    ...(clusterKey === undefined ? {} : { clusterKey }),
    listen: config.listen,
    announce: config.announce,
    bootstrap: [...new Set([...config.join, ...known])],
    logger: p2pLogger
  })
  const stack: Stop[] = [async () => { await host.stop() }]
  // Aborted before the first stop step: chunk fetches for reads and repairs give up at once,
  // so the steps that wait for in-flight reads (the file service, the scrubber) are not held
  // for the minutes a slow holder could take; the host's own signal fires only at its stop, last.
  const stopping = new AbortController()
  const unwind = async (): Promise<void> => {
    stopping.abort(new JadfsError('SHUTTING_DOWN', 'the node is stopping'))
    for (const step of stack.reverse()) {
      try {
        await step()
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'a component did not stop cleanly')
      }
    }
  }
  try {
    return await assemble(init, host, selfId, (step) => { stack.push(step) }, unwind, stopping.signal)
  } catch (err) {
    await unwind()
    throw err
  }
}

async function assemble (init: ClusterNodeInit, host: JadfsHost, selfId: string, onStop: (step: Stop) => void, unwind: () => Promise<void>, stopping: AbortSignal): Promise<ClusterNode> {
  const { config, logger } = init
  // The hooks close over parts made after the file service (the Raft log drives its
  // namespace); requests reach them only once the API listens, after all of them exist.
  const hooks: ClusterHooks = {
    applyCommand: async (command, signal) => await raft.applyCommand(command, signal),
    readBarrier: async (signal) => { await raft.readBarrier(signal) },
    checkReplication: (r) => {
      raft.checkMember()
      chunks.replication.checkReplication(r)
    },
    replicateChunk: async (chunk, r) => {
      chunks.announcer.announce(chunk.cid)
      await chunks.replication.replicateChunk(chunk, r)
    },
    openRead: (refs, signal) => chunks.reader.openRead(refs, signal),
    chunkRemoved: (cid) => { chunks.announcer.announceDeleted(cid) },
    confirmEvictable: async (cids) => await chunks.confirmEvictable(cids)
  }
  const files = await openLocalFileService({
    dataDir: config.dataDir,
    chunkSizeBytes: config.chunkSizeBytes,
    gcGraceMs: config.gcGraceMs,
    maxFileSizeBytes: config.maxFileSizeBytes,
    reservedFreeBytes: config.reservedFreeBytes,
    defaultReplicationFactor: config.replicationFactor,
    nodeId: selfId,
    version: init.version,
    logger: logger.child({ component: 'files' })
  }, { cluster: hooks })
  onStop(async () => { await files.close() })

  // gossip: heartbeats, the peer table, chunk events
  const gossip = new ClusterGossip({ pubsub: host.pubsub, peerId: host.peerId, logger: host.logger, nowMs: Date.now })
  gossip.start()
  onStop(() => { gossip.stop() })
  const locations = new ChunkLocations()
  // replaced once the chunk path exists; its first scan catches a peer that died before
  let repairSoon = (): void => {}
  const interval = config.heartbeatIntervalMs
  const monitor = new PeerMonitor(gossip, {
    nowMs: Date.now,
    suspectAfterMs: 3 * interval,
    deadAfterMs: 7 * interval,
    onTransition: (t) => {
      logger.info({ peerId: t.peerId, from: t.from, to: t.to }, 'peer state changed')
      if (t.to === 'dead' || t.to === 'forgotten') locations.forgetPeer(t.peerId)
      if (t.to === 'dead') repairSoon()
    }
  })
  monitor.start(interval)
  onStop(() => { monitor.stop() })

  const status = await startStatusRefresh(files, interval, logger)
  onStop(status.stop)
  const chunks: ChunkPath = await startChunkPath({
    host,
    files,
    selfId,
    gossip,
    monitor,
    locations,
    dataDir: config.dataDir,
    logger,
    onStop,
    stopping
  })
  repairSoon = chunks.repairSoon

  const raft = await RaftNamespaceLog.start({
    dataDir: config.dataDir,
    selfId,
    host,
    namespace: files.namespace,
    bootstrap: config.join.length === 0,
    snapshotEntries: config.snapshotEveryEntries,
    onConfChange: confChangeRecorder(host, selfId, logger),
    logger: logger.child({ component: 'raft' })
  })
  onStop(async () => { await raft.stop() })

  const saveMemberBook = memberBookSaver(host, () => raft.status().confState, config.dataDir, selfId, logger)
  const bookTimer = setInterval(() => { void saveMemberBook() }, MEMBER_BOOK_INTERVAL_MS)
  bookTimer.unref()
  onStop(async () => {
    clearInterval(bookTimer)
    await saveMemberBook()
  })
  if (config.gcIntervalMs > 0) onStop(startScheduledGc(files, config.gcIntervalMs, logger))
  if (config.scrubIntervalMs > 0) onStop(startScrubLoop(files, async (chunk) => { await chunks.reader.ensureLocal(chunk) }, config.scrubIntervalMs, logger))

  let apiUrl = ''
  const heartbeats = new HeartbeatPublisher(gossip, () => {
    const st = raft.status()
    const s = status.latest()
    return {
      // what placement weighs: room for chunks, above this peer's reserve
      freeBytes: roomForChunks(s, config.reservedFreeBytes),
      usedBytes: s?.physicalBytes ?? 0,
      chunkCount: s?.chunks ?? 0,
      raftRole: heartbeatRole(st.role, st.confState, selfId),
      raftTerm: st.term,
      version: init.version,
      apiAddress: apiUrl
    }
  }, host.logger)
  heartbeats.start(interval)
  onStop(() => { heartbeats.stop() })

  const membership = new MembershipManager({
    selfId,
    targetVoters: config.targetVoters,
    replaceAfterMs: config.replaceDeadVoterAfterMs,
    status: () => raft.status(),
    peers: () => monitor.table.list().map((p) => ({ peerId: p.peerId, state: p.state, lastSeenMs: p.lastSeenMs })),
    reach: async (peerId, signal) => {
      const connection = await host.dial(peerIdFromString(peerId), { signal })
      const known = await host.libp2p.peerStore.get(connection.remotePeer).then((p) => p.addresses.map((a) => a.multiaddr.toString()), () => [])
      return known.length > 0 ? known : [connection.remoteAddr.toString()]
    },
    change: async (change) => await raft.changeMembership(change),
    nowMs: Date.now,
    logger
  })
  membership.start(MEMBERSHIP_INTERVAL_MS)
  onStop(() => { membership.stop() })

  const id = (): PeerIdView => ({ peerId: selfId, addrs: host.multiaddrs().map((a) => a.toString()) })
  const control: ClusterControl = {
    id,
    view: () => clusterView(selfId, raft, monitor, status.latest(), apiUrl, init.version, config.targetVoters, chunks.queue, roomForChunks(status.latest(), config.reservedFreeBytes)),
    ...createVoterControl({
      selfId,
      status: () => raft.status(),
      changeMembership: async (change) => await raft.changeMembership(change),
      apiUrlOf: (peerId) => {
        const api = monitor.table.get(peerId)?.heartbeat.apiAddress
        return api === undefined || api === '' ? null : api
      },
      noteRemovedByHand: (peerId) => { membership.noteRemovedByHand(peerId) }
    })
  }

  logger.info({ peerId: selfId, addrs: id().addrs, join: config.join }, 'cluster peer started')
  return {
    files,
    control,
    peerId: selfId,
    dhtProviderStats: () => host.dhtProviderStats(),
    setApiUrl: (url) => { apiUrl = url },
    addrs: () => [...id().addrs],
    stop: unwind
  }
}
