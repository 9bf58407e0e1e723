// Our gossipsub topics and their message limits. The host only accepts these topics.
export const GOSSIP_TOPICS = {
  heartbeat: 'jadfs/heartbeat/1',
  chunkEvents: 'jadfs/chunk-events/1'
} as const

export type GossipTopic = typeof GOSSIP_TOPICS[keyof typeof GOSSIP_TOPICS]

/** A heartbeat is ~150 bytes; the slack is for long API addresses and version strings. */
export const MAX_HEARTBEAT_BYTES = 1024
export const MAX_VERSION_CHARS = 64
export const MAX_API_ADDRESS_CHARS = 256
/** 256 CIDs of 36 bytes each plus framing fit well under the limit below. */
export const MAX_CIDS_PER_CHUNK_EVENT = 256
export const MAX_CHUNK_EVENT_BYTES = 16 * 1024
