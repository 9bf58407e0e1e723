// Limits of the libp2p host. Sized for a cluster of tens of peers, not the public network.

/** Private DHT protocol: keeps us off the public IPFS DHT even if a public peer is reachable. */
export const DHT_PROTOCOL = '/jadfs/kad/1.0.0'
export const MAX_CONNECTIONS = 256
/** Bounds a whole dial (all addresses of a peer); a hung TCP connect cannot stall callers. */
export const DIAL_TIMEOUT_MS = 10_000
export const MAX_PARALLEL_DIALS = 32
export const MAX_INCOMING_PENDING_CONNECTIONS = 32
/** Gossip messages of ours are small; the limit stops a peer from making us buffer megabytes. */
export const GOSSIP_MAX_INBOUND_BYTES = 256 * 1024
/** The private-network nonce exchange; the library's 1 s is tight for a loaded machine. */
export const PRIVATE_NETWORK_HANDSHAKE_MS = 5_000
/**
 * Shortest time libp2p's connection monitor waits for its ping (every 10 s) before it aborts the
 * connection with every stream on it. Its default, 5 s, cut connections carrying chunk
 * transfers on a saturated 20 Mbit/s link: the ping queues behind up to 4 transfers × the
 * 4 MiB stream window (16 MiB, 6.7 s at 20 Mbit/s). 30 s keeps such a connection down to about
 * 4.5 Mbit/s; a connection to a vanished host is still dropped within 40 s.
 */
export const CONNECTION_PING_MIN_TIMEOUT_MS = 30_000
/** How long stop() waits for libp2p to close before giving up on a clean shutdown. */
export const STOP_TIMEOUT_MS = 10_000
/**
 * Largest receive window of one yamux stream: how much a peer may send that we have not
 * read yet. It must stay below the stream's read buffer limit: a reader that pauses (a
 * disk slower than the network) otherwise has its stream aborted with StreamBufferError
 * once the peer fills a window grown past that limit (yamux defaults: 16 MiB window, 4 MiB
 * buffer). 4 MiB still fills a 300 MB/s stream at ~13 ms round trip.
 */
export const STREAM_WINDOW_BYTES = 4 * 1024 * 1024
/** Read buffer limit of one stream, with room above the window for what is in flight. */
export const STREAM_READ_BUFFER_BYTES = 8 * 1024 * 1024
/**
 * Provider records kept from other peers, all together. Any peer that can connect may send
 * ADD_PROVIDER for as many keys as it likes; past this, new records are refused (renewals of
 * kept ones are not). Measured in memory: ~560 bytes a record when each key has one provider
 * (a flood of random keys), ~200 when keys have several (replicated chunks), so at most ~140 MB.
 * A cluster needs about one record per chunk copy: 250,000 copies of 64 MiB chunks are ~15 TiB.
 */
export const DHT_MAX_PROVIDER_RECORDS = 250_000
/**
 * Provider records kept from any one other peer: one peer cannot take the whole budget. A holder
 * of 100,000 chunks (6.4 TiB at the default chunk size) is still fully announced here; past it,
 * its chunks are still found through its own records, placement and gossip.
 */
export const DHT_MAX_PROVIDER_RECORDS_PER_PEER = 100_000
/**
 * How long a provider record from another peer is kept after it was last renewed (kad-dht's
 * default, named so the re-provide interval can be checked against it: see provide-scheduler.ts).
 */
export const DHT_PROVIDER_VALIDITY_MS = 48 * 60 * 60 * 1000
/** How often kad-dht drops expired provider records (its reprovider's pass; also its default). */
export const DHT_PROVIDER_CLEANUP_INTERVAL_MS = 60 * 60 * 1000
