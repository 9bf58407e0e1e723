// The Raft driver: persist → send → apply → advance around a pure core. See driver.ts.

import type { RaftDriver, RaftDriverConfig } from '../api.js'
import { Driver } from './driver.js'

export { wrapPayload, unwrapPayload } from './envelope.js'
export {
  DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_REQUEST_TIMEOUT_TICKS, DEFAULT_SNAPSHOT_ENTRIES
} from './constants.js'

export function createRaftDriver (config: RaftDriverConfig): RaftDriver {
  return new Driver(config)
}
