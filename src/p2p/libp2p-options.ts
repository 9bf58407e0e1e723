// The libp2p configuration of a JaDFS peer, in one place: which transports and services,
// and every limit we set instead of leaving it to a library default.
import type { Libp2pOptions } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import type { KadDHTComponents, ValidateFn } from '@libp2p/kad-dht'
import { gossipsub } from '@libp2p/gossipsub'
import { GOSSIP_TOPICS } from './gossip/topics.js'
import { privateNetwork } from './private-network.js'
import type { JadfsHostInit, JadfsServices } from './host.js'
import {
  CONNECTION_PING_MIN_TIMEOUT_MS, DHT_PROTOCOL, DHT_PROVIDER_CLEANUP_INTERVAL_MS, DHT_PROVIDER_VALIDITY_MS,
  GOSSIP_MAX_INBOUND_BYTES, MAX_CONNECTIONS, MAX_INCOMING_PENDING_CONNECTIONS, MAX_PARALLEL_DIALS,
  STREAM_READ_BUFFER_BYTES, STREAM_WINDOW_BYTES
} from './host-limits.js'
import type { DhtProviderStore } from './dht-provider-store.js'
import { JadfsError } from '../errors.js'

export function libp2pOptions (init: JadfsHostInit, dialTimeoutMs: number, dhtStore: DhtProviderStore): Libp2pOptions<JadfsServices> {
  return {
    start: false,
    privateKey: init.privateKey,
    addresses: { listen: [...init.listen], announce: [...(init.announce ?? [])] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // a private cluster: every connection is first encrypted with the shared key
    ...(init.clusterKey === undefined ? {} : { connectionProtector: privateNetwork(init.clusterKey) }),
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: STREAM_WINDOW_BYTES, maxReadBufferLength: STREAM_READ_BUFFER_BYTES } })],
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      dialTimeout: dialTimeoutMs,
      maxParallelDials: MAX_PARALLEL_DIALS,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS
    },
    connectionMonitor: { pingTimeout: { minTimeout: CONNECTION_PING_MIN_TIMEOUT_MS } },
    services: {
      identify: identify(),
      ping: ping(),
      dht: (components: KadDHTComponents) => kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        // The default mapper drops private and loopback addresses, which are exactly the
        // addresses of a cluster on one host or a LAN.
        peerInfoMapper: passthroughMapper,
        // We use provider records only. PUT_VALUE is stored only for a key namespace with a
        // validator, and kad-dht's one built-in (`pk`) accepts any peer's public key: without
        // this, peers could make us keep one record per key pair they generate. (Nor do we take
        // `pk` records from the DHT: our peer ids are Ed25519 and carry their public key.)
        validators: { pk: refuseValueRecord },
        // kad-dht's own stream limits apply: 32 inbound and 64 outbound per connection. A DHT
        // message is bounded only by the 4 MiB read buffer of @libp2p/utils' byteStream (kad-dht
        // sets no size), a stream gets 10 s per message, and our own queries use at most
        // alpha = 10 streams each.
        // kad-dht's reprovider is also what drops expired records of other peers (and it
        // re-announces ours within 24 h of their expiry, behind the provide scheduler)
        reprovide: {
          validity: init.dhtProviders?.validityMs ?? DHT_PROVIDER_VALIDITY_MS,
          interval: init.dhtProviders?.cleanupIntervalMs ?? DHT_PROVIDER_CLEANUP_INTERVAL_MS
        }
      })(withDatastore(components, dhtStore)),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        allowedTopics: Object.values(GOSSIP_TOPICS),
        maxInboundDataLength: GOSSIP_MAX_INBOUND_BYTES
      })
    }
  }
}

const refuseValueRecord: ValidateFn = () => {
  throw new JadfsError('DHT_RECORD_REFUSED', 'this peer keeps no DHT value records')
}

/**
 * kad-dht's components with `datastore` replaced, so that only the DHT uses that store. libp2p's
 * components object is a proxy that resolves services when read; ours forwards every other read
 * to it rather than copying it.
 */
function withDatastore (components: KadDHTComponents, datastore: KadDHTComponents['datastore']): KadDHTComponents {
  return new Proxy(components, {
    get: (target, prop, receiver) => prop === 'datastore' ? datastore : Reflect.get(target, prop, receiver)
  })
}
