// Defaults and limits of /jadfs/raft/1.0.0. Every wait on a peer and every buffer is bounded.

export const RAFT_PROTOCOL_ID = '/jadfs/raft/1.0.0'
/** A MsgSnap over maxMessageBytes travels alone on a stream of the protocol id plus this. */
export const SNAPSHOT_PROTOCOL_SUFFIX = '/snapshot'

/** Largest encoded message either side accepts on the ordinary streams. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * Largest snapshot message, sent alone on its own stream. A namespace snapshot's JSON is
 * bounded at 384 MiB (about a million files, namespace/snapshot-codec.ts) and compresses to
 * well under this. The receiver holds at most one such snapshot at a time, so this is also
 * what any peer can make it buffer.
 */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024

/** Sending one large snapshot, open to close; 256 MiB at 10 MB/s takes under half a minute. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 120_000

/** Messages waiting for one peer; above it the oldest non-snapshot messages are dropped. */
export const DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER = 1024

/** Encoded bytes waiting for one peer: room for one full-size snapshot beside ordinary traffic. */
export const QUEUED_BYTES_PER_MAX_MESSAGE = 2

/** Opening a stream (dial, Noise, Yamux, protocol negotiation) to a peer. */
export const DEFAULT_OPEN_TIMEOUT_MS = 5_000

/** One message write; a 64 MiB snapshot takes well under a second on loopback. */
export const DEFAULT_WRITE_TIMEOUT_MS = 30_000

/** Reconnect backoff after a failed open or write: doubles from the first to the cap. */
export const DEFAULT_RECONNECT_BACKOFF_MS = 50
export const DEFAULT_MAX_RECONNECT_BACKOFF_MS = 2_000

/**
 * A sender closes its stream after this long without traffic (a follower that is not the
 * leader may have nothing to say to another follower for a long time).
 */
export const DEFAULT_OUTBOUND_IDLE_CLOSE_MS = 30_000

/** A receiver resets a stream silent for this long; longer than the sender's idle close. */
export const DEFAULT_INBOUND_IDLE_TIMEOUT_MS = 60_000

/**
 * One long-lived stream per sender, plus room for its replacement while the old one dies.
 * Each inbound stream may buffer up to one message of maxMessageBytes, so this also bounds
 * what one connection can make us hold: 2 × 64 MiB by default.
 */
export const MAX_INBOUND_STREAMS_PER_CONNECTION = 2

/**
 * Ordinary inbound streams from one peer, across all its connections. An honest peer needs
 * what one connection allows; a second connection is normal for a while (both sides dialled
 * at once, or a reconnect while the old connection is still closing). Past that, each
 * connection a peer opens would only buy it more of the total, until it held every slot and
 * the rest of the cluster could not reach us: this bound keeps its share to two connections'
 * worth, far below DEFAULT_MAX_INBOUND_STREAMS.
 */
export const MAX_INBOUND_STREAMS_PER_PEER = 2 * MAX_INBOUND_STREAMS_PER_CONNECTION

/**
 * Ordinary inbound streams from all peers together; one more is reset at once. Any peer that
 * can reach us may open streams (without --cluster-key nothing else stops it), and libp2p
 * bounds them per connection only, so without this the streams, and what each may buffer,
 * grow with the connections. A leader takes one stream from every member: this is room for a
 * cluster of 128 peers (host-limits.ts sizes the host for tens), and what all of them may make
 * us buffer is at most this many messages of maxMessageBytes.
 */
export const DEFAULT_MAX_INBOUND_STREAMS = 128

/** Refused inbound streams are warned about at most this often (all are counted). */
export const REFUSAL_LOG_INTERVAL_MS = 60_000
export const MAX_OUTBOUND_STREAMS_PER_CONNECTION = 2

/** Node ids are peer id strings (52 characters for Ed25519); anything far longer is malformed. */
export const MAX_NODE_ID_CHARS = 128
/** Voters and learners named in a snapshot's configuration. */
export const MAX_CONF_MEMBERS = 1024
