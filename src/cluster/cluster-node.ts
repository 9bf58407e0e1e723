// One peer of a JaDFS cluster, assembled: identity and libp2p host, the local storage engine
// driven by the namespace's Raft log, gossip heartbeats and the peer table, the chunk
// protocols, placement and replication of chunks as they are written, remote reads, and the
// leader's membership manager. Stops in the reverse order.
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import type { Logger } from '../log/logger.js'
import type { DaemonConfig } from '../config/daemon-config.js'
import { JadfsError } from '../errors.js'
import type { ClusterHooks } from '../files/cluster-hooks.js'
import type { NodeStatus } from '../files/file-service.js'
import type { LocalFileServiceWithNamespace } from '../files/local-file-service.js'
import { READ_PIECE_BYTES } from '../store/chunk-verify.js'
import { openLocalFileService } from '../files/local-file-service.js'
import { HAVE_PROTOCOL_ID, createJadfsHost, handleHave, loadOrCreateIdentity, requestHave } from '../p2p/index.js'
import type { JadfsHost } from '../p2p/index.js'
import { ClusterGossip } from '../p2p/gossip/cluster-gossip.js'
import { HeartbeatPublisher } from '../p2p/gossip/heartbeat-publisher.js'
import { PeerMonitor } from '../p2p/gossip/peer-monitor.js'
import { fetchChunk, handleChunkProtocol, openFreshPushSource, openPushSource, pushChunk } from '../p2p/protocols/chunk/index.js'
import type { ChunkProtocolServer } from '../p2p/protocols/chunk/index.js'
import type { ConfChange, ConfState } from '../raft/types.js'
import { ChunkAnnouncer } from './chunk-announcer.js'
import { ChunkReplication } from './chunk-replication.js'
import type { PlacementCandidate } from './chunk-replication.js'
import type { MembershipView } from '../api/cluster-view.js'
import type { ClusterControl } from './cluster-control.js'
import { clusterView, heartbeatRole } from './cluster-view.js'
import { dialableAddresses, readMemberBook, writeMemberBook } from './member-address-book.js'
import { MembershipManager } from './membership-manager.js'
import { choosePeers, rankPeers } from './placement/rendezvous.js'
import { RaftNamespaceLog } from './raft-namespace-log.js'
import { RemoteChunkReader } from './remote-chunk-reader.js'
import { RepairScanner } from './repair/repair-scanner.js'
import { Scrubber } from './scrubber.js'
import { ChunkLocations } from './locate/chunk-locations.js'
import { ProvideScheduler } from './provide/provide-scheduler.js'
import { ReplicationQueue } from './replication/replication-queue.js'
import { Replicator } from './replication/replicator.js'

/** free space kept back when accepting pushed chunks */
const RESERVED_FREE_BYTES = 256 * 1024 * 1024
const MEMBERSHIP_INTERVAL_MS = 1000
const ANNOUNCE_INTERVAL_MS = 1000
const REPLICATOR_INTERVAL_MS = 1000
const MEMBER_BOOK_INTERVAL_MS = 5000
/** a full repair scan this often, and this long after a peer is declared dead */
const REPAIR_INTERVAL_MS = 10 * 60_000
const REPAIR_AFTER_DEATH_MS = 2000
/** the scrub's pace: a 64 MiB chunk a second at most */
const SCRUB_BYTES_PER_SECOND = 64 * 1000 * 1000

export interface ClusterNodeInit {
  readonly config: DaemonConfig
  readonly version: string
  readonly logger: Logger
}

export interface ClusterNode {
  readonly files: LocalFileServiceWithNamespace
  readonly control: ClusterControl
  readonly peerId: string
  /** the API address goes into heartbeats once the API listens */
  setApiUrl: (url: string) => void
  addrs: () => string[]
  stop: () => Promise<void>
}

export async function startClusterNode (init: ClusterNodeInit): Promise<ClusterNode> {
  const { config, logger } = init
  const identity = await loadOrCreateIdentity(config.dataDir)
  const selfId = identity.peerId.toString()
  const p2pLogger = logger.child({ component: 'p2p' })
  // a restarted peer dials the members it knew as well as --join
  const known = dialableAddresses(await readMemberBook(config.dataDir), selfId)
  const host = await createJadfsHost({
    privateKey: identity.privateKey,
    listen: config.listen,
    announce: config.announce,
    bootstrap: [...new Set([...config.join, ...known])],
    logger: p2pLogger
  })
  const stack: Array<() => Promise<void> | void> = [async () => { await host.stop() }]
  const unwind = async (): Promise<void> => {
    for (const step of stack.reverse()) {
      try {
        await step()
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'a component did not stop cleanly')
      }
    }
  }
  try {
    return await assemble(init, host, selfId, stack, unwind)
  } catch (err) {
    await unwind()
    throw err
  }
}

async function assemble (init: ClusterNodeInit, host: JadfsHost, selfId: string, stack: Array<() => Promise<void> | void>, unwind: () => Promise<void>): Promise<ClusterNode> {
  const { config, logger } = init
  // The hooks close over parts made after the file service (the Raft log drives its
  // namespace); requests reach them only once the API listens, after all of them exist.
  const hooks: ClusterHooks = {
    applyCommand: async (command, signal) => await raft.applyCommand(command, signal),
    readBarrier: async (signal) => { await raft.readBarrier(signal) },
    checkReplication: (r) => {
      raft.checkMember()
      replication.checkReplication(r)
    },
    replicateChunk: async (chunk, r) => {
      announcer.announce(chunk.cid)
      await replication.replicateChunk(chunk, r)
    },
    openRead: (chunks) => reader.openRead(chunks),
    chunkRemoved: (cid) => { announcer.announceDeleted(cid) }
  }
  const files = await openLocalFileService({
    dataDir: config.dataDir,
    chunkSizeBytes: config.chunkSizeBytes,
    gcGraceMs: config.gcGraceMs,
    maxFileSizeBytes: config.maxFileSizeBytes,
    defaultReplicationFactor: config.replicationFactor,
    nodeId: selfId,
    version: init.version,
    logger: logger.child({ component: 'files' })
  }, { cluster: hooks })
  stack.push(async () => { await files.close() })
  const store = { chunks: files.chunkStore, index: files.chunkIndex }

  // gossip: heartbeats, the peer table, chunk events
  const gossip = new ClusterGossip({ pubsub: host.pubsub, peerId: host.peerId, logger: host.logger, nowMs: Date.now })
  gossip.start()
  stack.push(() => { gossip.stop() })
  const locations = new ChunkLocations()
  // set once the repair scanner exists; a peer dying before that is caught by its first scan
  let onPeerDead = (): void => {}
  const interval = config.heartbeatIntervalMs
  const monitor = new PeerMonitor(gossip, {
    nowMs: Date.now,
    suspectAfterMs: 3 * interval,
    deadAfterMs: 7 * interval,
    onTransition: (t) => {
      logger.info({ peerId: t.peerId, from: t.from, to: t.to }, 'peer state changed')
      if (t.to === 'dead' || t.to === 'forgotten') locations.forgetPeer(t.peerId)
      if (t.to === 'dead') onPeerDead()
    }
  })
  monitor.start(interval)
  stack.push(() => { monitor.stop() })

  let lastStatus: NodeStatus | undefined
  const refreshStatus = async (): Promise<void> => {
    try {
      lastStatus = await files.status()
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not read this node\'s disk usage')
    }
  }
  await refreshStatus()
  const statusTimer = setInterval(() => { void refreshStatus() }, interval)
  statusTimer.unref()
  stack.push(() => { clearInterval(statusTimer) })

  // where chunks are: DHT provider records (rate-limited, re-provided) and a gossip-fed cache
  const provides = new ProvideScheduler({
    provide: async (cid, signal) => {
      for await (const _event of host.dht.provide(CID.parse(cid), { signal })) { /* run the query to its end */ }
    },
    nowMs: Date.now,
    logger: host.logger
  })
  provides.add(files.chunkIndex.local().filter((row) => row.state === 'ok').map((row) => row.cid))
  provides.start()
  stack.push(async () => { await provides.stop() })
  const unsubscribeChunkEvents = gossip.onChunkEvent((event) => {
    const from = event.from.toString()
    for (const cid of event.cids) {
      if (event.kind === 'stored') locations.add(cid.toString(), from)
      else locations.remove(cid.toString(), from)
    }
  })
  stack.push(unsubscribeChunkEvents)

  const announcer = new ChunkAnnouncer({
    publishStored: async (cids) => { await gossip.publishChunkEvent('stored', cids) },
    publishDeleted: async (cids) => { await gossip.publishChunkEvent('deleted', cids) },
    provide: (cids) => { provides.add(cids) },
    unprovide: (cid) => { provides.remove(cid) },
    logger
  })
  announcer.start(ANNOUNCE_INTERVAL_MS)
  stack.push(() => { announcer.stop() })

  // fresh: a chunk a put just committed here (no second hash pass before sending)
  const push = async (peerId: string, cid: string, signal: AbortSignal | undefined, fresh = false): Promise<'stored' | 'already-had'> => {
    const source = fresh ? await openFreshPushSource(store, cid) : await openPushSource(store, cid)
    const outcome = await pushChunk(host, peerIdFromString(peerId), cid, source, signal === undefined ? {} : { signal })
    locations.add(cid, peerId)
    return outcome
  }
  const livePeers = (): PlacementCandidate[] => monitor.table.list('alive')
    .filter((p) => p.peerId !== selfId)
    .map((p) => ({ peerId: p.peerId, weight: p.heartbeat.freeBytes }))

  // chunks: serve fetches and pushes; copy as we write; fetch what we do not hold
  const chunkServer: ChunkProtocolServer = await handleChunkProtocol(host, {
    store,
    onStored: (chunk) => { announcer.announce(chunk.cid) },
    hasRoomFor: (sizeBytes) => lastStatus === undefined || lastStatus.diskFreeBytes - RESERVED_FREE_BYTES >= sizeBytes
  })
  stack.push(async () => { await chunkServer.stop() })
  // batched "which of these do you hold?", for peers checking copies without moving bytes
  await handleHave(host, (cid) => files.chunkIndex.get(cid.toString())?.state === 'ok')
  stack.push(async () => { await host.unhandle(HAVE_PROTOCOL_ID) })

  const queue = ReplicationQueue.open(join(config.dataDir, 'replication.sqlite'))
  stack.push(() => { queue.close() })
  const replication = new ChunkReplication({
    selfId,
    livePeers,
    choose: (cid, peers, count, exclude) => choosePeers(cid, peers, count, exclude),
    push: async (peerId, cid, signal) => await push(peerId, cid, signal, true),
    recordDebt: (cid, sizeBytes, want, holders) => { queue.enqueue(cid, sizeBytes, want, holders, Date.now()) },
    onCopied: () => {},
    logger
  })
  const reader = new RemoteChunkReader({
    localState: (cid) => files.chunkIndex.get(cid)?.state ?? 'absent',
    hasPeers: () => host.connectedPeers().length > 0,
    candidates: (cid) => {
      const live = livePeers()
      const alive = new Set(live.map((p) => p.peerId))
      return [...new Set([...locations.holders(cid).filter((p) => alive.has(p)), ...rankPeers(cid, live)])]
    },
    findProviders: (cid, signal) => findProviders(host, cid, selfId, signal),
    fetchInto: async (peerId, chunk, signal) => {
      const received = await fetchChunk(host, peerIdFromString(peerId), chunk.cid, { store: files.chunkStore, expectedSizeBytes: chunk.sizeBytes, signal })
      received.release()
    },
    onFetched: (cid, from) => {
      locations.add(cid, from)
      announcer.announce(cid)
    },
    signal: host.signal,
    logger
  })

  // pays replication debt (async puts, copies a put could not make) as peers allow
  const replicator = new Replicator({
    queue,
    selfId,
    livePeers,
    holdsLocally: (cid) => files.chunkIndex.get(cid)?.state === 'ok',
    push: async (peerId, cid, signal) => await push(peerId, cid, signal),
    nowMs: Date.now,
    logger: host.logger
  })
  replicator.start(REPLICATOR_INTERVAL_MS)
  stack.push(async () => { await replicator.stop() })

  // finds chunks that lost copies with a dead peer and records them as debt
  const repairStopping = new AbortController()
  const repair = new RepairScanner({
    selfId,
    listFiles: (after, limit) => files.namespace.files.list('/', after, limit),
    holdsLocally: (cid) => files.chunkIndex.get(cid)?.state === 'ok',
    livePeers,
    askHave: async (peerId, cids, signal) => await requestHave(host, peerIdFromString(peerId), cids.map((cid) => CID.parse(cid)), { signal }),
    rank: rankPeers,
    recordDebt: (cid, sizeBytes, want, holders) => { queue.enqueue(cid, sizeBytes, want, holders, Date.now()) },
    signal: repairStopping.signal,
    logger
  })
  let repairTimer: ReturnType<typeof setTimeout> | undefined
  const scheduleRepair = (delayMs: number): void => {
    clearTimeout(repairTimer)
    repairTimer = setTimeout(() => {
      repair.scan().catch((err: Error) => { if (!repairStopping.signal.aborted) logger.warn({ err: err.message }, 'repair scan failed') })
      scheduleRepair(REPAIR_INTERVAL_MS)
    }, delayMs)
    repairTimer.unref()
  }
  onPeerDead = () => { scheduleRepair(REPAIR_AFTER_DEATH_MS) }
  scheduleRepair(REPAIR_INTERVAL_MS)
  stack.push(() => {
    clearTimeout(repairTimer)
    repairStopping.abort()
  })

  // the namespace's Raft log
  const onConfChange = (change: ConfChange, conf: ConfState): void => {
    logger.info({ change: change.type, peerId: change.nodeId, voters: conf.voters, learners: conf.learners }, 'cluster membership changed')
    if (change.context === undefined || change.nodeId === selfId) return
    try {
      const { addrs } = JSON.parse(new TextDecoder().decode(change.context)) as { addrs?: unknown }
      if (!Array.isArray(addrs)) return
      const multiaddrs = addrs.filter((a): a is string => typeof a === 'string').slice(0, 16)
      host.libp2p.peerStore.merge(peerIdFromString(change.nodeId), { multiaddrs: multiaddrs.map((a) => multiaddr(a)) })
        .catch((err: Error) => { logger.debug({ err: err.message }, 'could not record a member\'s addresses') })
    } catch {
      // a context from another version: the DHT still finds the peer
    }
  }
  const raft = await RaftNamespaceLog.start({
    dataDir: config.dataDir,
    selfId,
    host,
    namespace: files.namespace,
    bootstrap: config.join.length === 0,
    snapshotEntries: config.snapshotEveryEntries,
    onConfChange,
    logger: logger.child({ component: 'raft' })
  })
  stack.push(async () => { await raft.stop() })

  const saveMemberBook = memberBookSaver(host, raft, config.dataDir, selfId, logger)
  const bookTimer = setInterval(() => { void saveMemberBook() }, MEMBER_BOOK_INTERVAL_MS)
  bookTimer.unref()
  stack.push(async () => {
    clearInterval(bookTimer)
    await saveMemberBook()
  })

  // deletes and overwrites release chunks on every peer; each peer collects its own
  if (config.gcIntervalMs > 0) {
    const gcTimer = setInterval(() => {
      files.collectGarbage().catch((err: Error) => { logger.warn({ err: err.message }, 'scheduled garbage collection failed') })
    }, config.gcIntervalMs)
    gcTimer.unref()
    stack.push(() => { clearInterval(gcTimer) })
  }

  // bit rot on copies nobody reads is found by the scrub and healed from a peer
  if (config.scrubIntervalMs > 0) {
    const scrubStopping = new AbortController()
    const scrubber = new Scrubber({
      localChunks: () => files.chunkIndex.local(),
      verify: async (cid, sizeBytes) => {
        const handle = await files.chunkStore.openVerified(cid, sizeBytes, Buffer.allocUnsafe(READ_PIECE_BYTES))
        await handle.close()
      },
      heal: async (chunk) => { await reader.ensureLocal(chunk) },
      sleep: async (ms, signal) => { await sleep(ms, undefined, { signal }) },
      signal: scrubStopping.signal,
      bytesPerSecond: SCRUB_BYTES_PER_SECOND,
      logger
    })
    const loop = (async () => {
      while (!scrubStopping.signal.aborted) {
        await sleep(config.scrubIntervalMs, undefined, { signal: scrubStopping.signal }).catch(() => {})
        if (scrubStopping.signal.aborted) break
        await scrubber.scrubOnce().catch((err: Error) => { if (!scrubStopping.signal.aborted) logger.warn({ err: err.message }, 'scrub pass failed') })
      }
    })()
    stack.push(async () => {
      scrubStopping.abort()
      await loop
    })
  }

  let apiUrl = ''
  const heartbeats = new HeartbeatPublisher(gossip, () => {
    const st = raft.status()
    const s = lastStatus
    return {
      freeBytes: s?.diskFreeBytes ?? 0,
      usedBytes: s?.physicalBytes ?? 0,
      chunkCount: s?.chunks ?? 0,
      raftRole: heartbeatRole(st.role, st.confState, selfId),
      raftTerm: st.term,
      version: init.version,
      apiAddress: apiUrl
    }
  }, host.logger)
  heartbeats.start(interval)
  stack.push(() => { heartbeats.stop() })

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
  stack.push(() => { membership.stop() })

  const members = (conf: ConfState): MembershipView => ({ voters: [...conf.voters], learners: [...conf.learners] })
  const requireLeader = (): void => {
    const st = raft.status()
    if (st.role === 'leader') return
    const leaderApi = st.leader === '' ? null : monitor.table.get(st.leader)?.heartbeat.apiAddress ?? null
    throw new JadfsError('NOT_LEADER', `this peer is not the leader; ${st.leader === '' ? 'no leader is known right now' : `ask the leader ${st.leader}${leaderApi === null || leaderApi === '' ? '' : ` at ${leaderApi}`}`}`,
      { details: { leaderPeerId: st.leader === '' ? null : st.leader, leaderApiUrl: leaderApi === '' ? null : leaderApi } })
  }
  const control: ClusterControl = {
    id: () => ({ peerId: selfId, addrs: host.multiaddrs().map((a) => a.toString()) }),
    view: () => clusterView(selfId, raft, monitor, lastStatus, apiUrl, init.version, config.targetVoters, queue),
    addVoter: async (peerId) => {
      checkPeerId(peerId)
      requireLeader()
      const conf = raft.status().confState
      if (conf.voters.includes(peerId)) return members(conf)
      if (!conf.learners.includes(peerId)) {
        throw new JadfsError('INVALID_ARGUMENT', `${peerId} is not a member of this cluster; start it with --join and it is added as a learner first`)
      }
      return members(await raft.changeMembership({ type: 'addVoter', nodeId: peerId }))
    },
    removeVoter: async (peerId) => {
      checkPeerId(peerId)
      requireLeader()
      const conf = raft.status().confState
      if (!conf.voters.includes(peerId) && !conf.learners.includes(peerId)) throw new JadfsError('INVALID_ARGUMENT', `${peerId} is not a member of this cluster`)
      if (peerId === selfId) throw new JadfsError('INVALID_ARGUMENT', `${peerId} is the leader itself; stop it (another voter takes over), then remove it from the new leader`)
      if (conf.voters.length === 1 && conf.voters[0] === peerId) throw new JadfsError('INVALID_ARGUMENT', 'the last voter cannot be removed')
      membership.noteRemovedByHand(peerId)
      return members(await raft.changeMembership({ type: 'removeNode', nodeId: peerId }))
    }
  }

  logger.info({ peerId: selfId, addrs: control.id().addrs, join: config.join }, 'cluster peer started')
  return {
    files,
    control,
    peerId: selfId,
    setApiUrl: (url) => { apiUrl = url },
    addrs: () => [...control.id().addrs],
    stop: unwind
  }
}

function memberBookSaver (host: JadfsHost, raft: RaftNamespaceLog, dataDir: string, selfId: string, logger: Logger): () => Promise<void> {
  let lastSavedBook = ''
  return async () => {
    const { voters, learners } = raft.status().confState
    const book: Record<string, string[]> = {}
    for (const peerId of [...voters, ...learners].sort()) {
      if (peerId === selfId) continue
      const addrs = await host.libp2p.peerStore.get(peerIdFromString(peerId)).then((p) => p.addresses.map((a) => a.multiaddr.toString()), () => [])
      if (addrs.length > 0) book[peerId] = addrs.sort()
    }
    const text = JSON.stringify(book)
    if (text === lastSavedBook || Object.keys(book).length === 0) return
    try {
      await writeMemberBook(dataDir, book)
      lastSavedBook = text
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not save the members\' addresses')
    }
  }
}

function checkPeerId (peerId: string): void {
  try {
    peerIdFromString(peerId)
  } catch {
    throw new JadfsError('INVALID_ARGUMENT', `${JSON.stringify(peerId)} is not a peer id (they look like 12D3KooW...)`)
  }
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
