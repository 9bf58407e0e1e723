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
/** How long stop() waits for libp2p to close before giving up on a clean shutdown. */
export const STOP_TIMEOUT_MS = 10_000
