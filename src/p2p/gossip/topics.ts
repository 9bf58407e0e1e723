// Our gossipsub topics and their message limits. The host only accepts these topics.
export const GOSSIP_TOPICS = {
  heartbeat: 'jadfs/heartbeat/1',
  chunkEvents: 'jadfs/chunk-events/1'
} as const

export type GossipTopic = typeof GOSSIP_TOPICS[keyof typeof GOSSIP_TOPICS]

/** A heartbeat is ~150 bytes, ~430 with every field at its limit (its strings are printable ASCII). */
export const MAX_HEARTBEAT_BYTES = 1024
/** printable ASCII, so characters are bytes */
export const MAX_VERSION_CHARS = 64
/** printable ASCII, so characters are bytes */
export const MAX_API_ADDRESS_CHARS = 256
/** 256 CIDs of 36 bytes each plus framing fit well under the limit below. */
export const MAX_CIDS_PER_CHUNK_EVENT = 256
export const MAX_CHUNK_EVENT_BYTES = 16 * 1024
