// Defaults for RaftDriverConfig's optional limits.

/** a proposal or read not answered within this many ticks fails with TIMEOUT */
export const DEFAULT_REQUEST_TIMEOUT_TICKS = 50

/** snapshot and compact once this many entries were applied since the last snapshot */
export const DEFAULT_SNAPSHOT_ENTRIES = 10_000

/** cap on proposals + reads waiting for an answer */
export const DEFAULT_MAX_PENDING_REQUESTS = 4096

/** cap on the length of a proposal id (node id + incarnation + counter) */
export const MAX_REQUEST_ID_BYTES = 1024

/** cap on received messages waiting for the next Ready loop; beyond it they are dropped,
 * which Raft tolerates (senders retry) while an unbounded backlog would not be */
export const MAX_INBOX_MESSAGES = 8192
