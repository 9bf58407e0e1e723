// The libp2p host of a JaDFS peer: TCP + Noise + Yamux, identify, ping, a private Kademlia
// DHT in server mode, and gossipsub. It owns one AbortSignal that fires when stop() begins,
// which every protocol exchange and the join loop listen to, so stopping never waits on a
// silent peer.
import './shims/install.js'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { KadDHT } from '@libp2p/kad-dht'
import type { GossipSub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AbortOptions, Connection, DialProtocolOptions, PeerId, PrivateKey, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'
import { JadfsError } from '../errors.js'
import { DEFAULT_JOIN_POLICY, joinBootstrap } from './join.js'
import type { JoinPolicy, JoinResult } from './join.js'
import { silentLogger } from './logger.js'
import type { P2pLogger } from './logger.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DHT_MAX_PROVIDER_RECORDS, DHT_MAX_PROVIDER_RECORDS_PER_PEER, DIAL_TIMEOUT_MS, STOP_TIMEOUT_MS } from './host-limits.js'
import { DhtProviderStore } from './dht-provider-store.js'
import type { DhtProviderLimits, DhtProviderStoreStats } from './dht-provider-store.js'
import { libp2pOptions } from './libp2p-options.js'
import { startDeadline } from './protocols/deadline.js'
import { raceSignal } from '../util/race-signal.js'
import { toJadfsError } from './protocols/stream-errors.js'
import { DEFAULT_GOSSIP_LINK_REPAIR, GossipLinkRepair, libp2pGossipLinks } from './gossip/gossip-link-repair.js'
import type { GossipLinkRepairTiming } from './gossip/gossip-link-repair.js'
import type { RunLoop } from '../util/run-loop.js'

// A type alias, not an interface: libp2p's ServiceMap is an index-signature record.
export type JadfsServices = {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
}

export interface JadfsHostInit {
  readonly privateKey: PrivateKey
  /** Multiaddrs to listen on, e.g. '/ip4/0.0.0.0/tcp/4001'. */
  readonly listen: readonly string[]
  /** Addresses to advertise instead of the listen addresses (NAT, containers). */
  readonly announce?: readonly string[]
  /** --join addresses, dialled on start with retries. */
  readonly bootstrap?: readonly string[]
  readonly logger?: P2pLogger
  /** Start listening and joining before returning. @default true */
  readonly start?: boolean
  readonly joinPolicy?: JoinPolicy
  readonly dialTimeoutMs?: number
  /** A private cluster's key (parseClusterKey): only peers with the same key can connect. */
  readonly clusterKey?: Uint8Array
  /** The DHT's provider records: limits and lifetime (tests shrink them). @default the DHT_* of host-limits.ts */
  readonly dhtProviders?: Partial<DhtProviderSettings>
  /** How often gossip links lost while connected are looked for ('off' only in tests). @default DEFAULT_GOSSIP_LINK_REPAIR */
  readonly gossipLinkRepair?: GossipLinkRepairTiming | 'off'
}

export interface DhtProviderSettings extends DhtProviderLimits {
  /** a record from another peer is dropped this long after it was last renewed */
  readonly validityMs: number
  /** how often expired records are looked for */
  readonly cleanupIntervalMs: number
}

/** The part of the host that protocols need; narrow so they can be tested against fakes. */
export interface ProtocolHost {
  readonly peerId: PeerId
  /** Aborted (with SHUTTING_DOWN) as soon as stop() begins. */
  readonly signal: AbortSignal
  readonly logger: P2pLogger
  dialProtocol: (target: PeerId | Multiaddr, protocol: string, options?: DialProtocolOptions) => Promise<Stream>
  handle: (protocol: string, handler: StreamHandler, options: StreamHandlerOptions) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
}

export interface JadfsHost extends ProtocolHost {
  readonly libp2p: Libp2p<JadfsServices>
  readonly dht: KadDHT
  readonly pubsub: GossipSub
  /** The provider records the DHT keeps for other peers (and ours). */
  dhtProviderStats: () => DhtProviderStoreStats
  /** Settles once every --join address connected or ran out of attempts; never rejects. */
  readonly joined: Promise<JoinResult>
  multiaddrs: () => Multiaddr[]
  connectedPeers: () => PeerId[]
  dial: (target: PeerId | Multiaddr, options?: AbortOptions) => Promise<Connection>
  start: () => Promise<void>
  /** Stops for good; a stopped host cannot be started again. */
  stop: () => Promise<void>
}

export async function createJadfsHost (init: JadfsHostInit): Promise<JadfsHost> {
  const logger = init.logger ?? silentLogger
  const dialTimeoutMs = init.dialTimeoutMs ?? DIAL_TIMEOUT_MS
  const bootstrap = parseAddrs(init.bootstrap ?? [], 'join')
  parseAddrs(init.listen, 'listen')
  parseAddrs(init.announce ?? [], 'announce')

  const dhtStore = new DhtProviderStore({
    maxRecords: init.dhtProviders?.maxRecords ?? DHT_MAX_PROVIDER_RECORDS,
    maxRecordsPerPeer: init.dhtProviders?.maxRecordsPerPeer ?? DHT_MAX_PROVIDER_RECORDS_PER_PEER,
    selfPeerId: peerIdFromPrivateKey(init.privateKey).toString(),
    logger
  })
  const libp2p = await createLibp2p<JadfsServices>(libp2pOptions(init, dialTimeoutMs, dhtStore))

  const stopping = new AbortController()
  let joinResolve: (result: JoinResult) => void = () => {}
  const joined = new Promise<JoinResult>((resolve) => { joinResolve = resolve })
  let state: 'new' | 'started' | 'stopped' = 'new'
  let gossipRepairLoop: RunLoop | undefined

  const host: JadfsHost = {
    libp2p,
    peerId: libp2p.peerId,
    dht: libp2p.services.dht,
    pubsub: libp2p.services.pubsub,
    dhtProviderStats: () => dhtStore.stats(),
    signal: stopping.signal,
    logger,
    joined,
    multiaddrs: () => libp2p.getMultiaddrs(),
    connectedPeers: () => libp2p.getPeers(),
    dial: async (target, options) => {
      const deadline = startDeadline(dialTimeoutMs, `dialling ${target.toString()}`, [stopping.signal, options?.signal])
      try {
        return await raceSignal(libp2p.dial(target, { signal: deadline.signal }), deadline.signal)
      } catch (err) {
        throw toJadfsError(err, 'open', `dialling ${target.toString()}`)
      } finally {
        deadline.clear()
      }
    },
    // Callers pass their own deadline (request() does); without one, stopping still aborts it.
    dialProtocol: async (target, protocol, options) => await libp2p.dialProtocol(target, protocol, { ...options, signal: options?.signal ?? stopping.signal }),
    handle: async (protocol, handler, options) => { await libp2p.handle(protocol, handler, options) },
    unhandle: async (protocol) => { await libp2p.unhandle(protocol) },
    start: async () => {
      if (state !== 'new') throw new JadfsError('SHUTTING_DOWN', `the p2p host cannot start: it is ${state}`)
      state = 'started'
      try {
        await libp2p.start()
      } catch (err) {
        // Usually a listen address in use or not local; leave nothing half-started behind.
        state = 'stopped'
        stopping.abort(new JadfsError('SHUTTING_DOWN', 'the p2p host failed to start'))
        joinResolve({ connected: [], failed: [] })
        await stopLibp2p(libp2p, logger)
        throw new JadfsError('INVALID_CONFIG', `the p2p host could not start (listen ${init.listen.join(', ')}): ${(err as Error).message}`, { cause: err })
      }
      logger.info({ peerId: libp2p.peerId.toString(), addrs: libp2p.getMultiaddrs().map(String) }, 'p2p host started')
      if (init.gossipLinkRepair !== 'off') gossipRepairLoop = new GossipLinkRepair(libp2pGossipLinks(libp2p, logger), init.gossipLinkRepair ?? DEFAULT_GOSSIP_LINK_REPAIR).start()
      void joinBootstrap(bootstrap, async (addr, signal) => await host.dial(addr, { signal }), stopping.signal, init.joinPolicy ?? DEFAULT_JOIN_POLICY)
        .then((result) => {
          if (result.failed.length > 0) logger.warn({ failed: result.failed }, `some join addresses could not be reached: check that their peers run and are reachable, and that every peer has the same --cluster-key${init.clusterKey === undefined ? ' (this one has none)' : ''}`)
          joinResolve(result)
        })
    },
    stop: async () => {
      if (state === 'stopped') return
      const wasStarted = state === 'started'
      state = 'stopped'
      stopping.abort(new JadfsError('SHUTTING_DOWN', 'the p2p host is stopping'))
      if (!wasStarted) joinResolve({ connected: [], failed: [] })
      await gossipRepairLoop?.stop()
      await stopLibp2p(libp2p, logger)
    }
  }
  if (init.start ?? true) await host.start()
  return host
}

function parseAddrs (addrs: readonly string[], what: string): Multiaddr[] {
  return addrs.map((addr) => {
    try {
      return multiaddr(addr)
    } catch (err) {
      throw new JadfsError('INVALID_CONFIG', `--${what} ${addr} is not a valid multiaddr`, { cause: err, details: { addr } })
    }
  })
}

// libp2p.stop() closes every connection; a transport stuck in close must not hang shutdown.
async function stopLibp2p (libp2p: Libp2p<JadfsServices>, logger: P2pLogger): Promise<void> {
  const deadline = startDeadline(STOP_TIMEOUT_MS, 'stopping the p2p host')
  try {
    await raceSignal(Promise.resolve(libp2p.stop()), deadline.signal)
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'the p2p host did not stop cleanly')
  } finally {
    deadline.clear()
  }
}
