// The harness's defaults and limits, shared by the cluster it starts and the commands that stop
// a recorded one.

export const DEFAULT_VOTERS = 3
export const DEFAULT_START_TIMEOUT_MS = 60_000
export const DEFAULT_STOP_TIMEOUT_MS = 15_000
/** more daemons than this on one machine is a mistake, not a test */
export const MAX_NODES = 64
