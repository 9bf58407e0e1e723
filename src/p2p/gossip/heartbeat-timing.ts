// Heartbeat cadence and the failure-detector thresholds derived from it. A peer is suspect
// after missing about three heartbeats and dead after about seven: gossip can delay or drop
// a message or two, and declaring a peer dead triggers re-replication, which is costly.
export const HEARTBEAT_INTERVAL_MS = 2000
export const SUSPECT_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS
export const DEAD_AFTER_MS = 7 * HEARTBEAT_INTERVAL_MS
/** Dead peers stay listed (for status output and repair decisions) this long. */
export const FORGET_AFTER_MS = 10 * 60_000
export const MAX_TRACKED_PEERS = 4096
