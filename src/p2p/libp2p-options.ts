// The libp2p configuration of a JaDFS peer, in one place: which transports and services,
// and every limit we set instead of leaving it to a library default.
import type { Libp2pOptions } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { gossipsub } from '@libp2p/gossipsub'
import { GOSSIP_TOPICS } from './gossip/topics.js'
import { privateNetwork } from './private-network.js'
import type { JadfsHostInit, JadfsServices } from './host.js'
import {
  DHT_PROTOCOL, GOSSIP_MAX_INBOUND_BYTES, MAX_CONNECTIONS, MAX_INCOMING_PENDING_CONNECTIONS, MAX_PARALLEL_DIALS,
  STREAM_READ_BUFFER_BYTES, STREAM_WINDOW_BYTES
} from './host-limits.js'

export function libp2pOptions (init: JadfsHostInit, dialTimeoutMs: number): Libp2pOptions<JadfsServices> {
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
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        // The default mapper drops private and loopback addresses, which are exactly the
        // addresses of a cluster on one host or a LAN.
        peerInfoMapper: passthroughMapper
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        allowedTopics: Object.values(GOSSIP_TOPICS),
        maxInboundDataLength: GOSSIP_MAX_INBOUND_BYTES
      })
    }
  }
}
