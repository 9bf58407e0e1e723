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
