// Start-up: writing a new cluster's configuration into the log, and restoring the configuration
// of a restarted node from its snapshot plus the conf changes it had already applied.

import type { ConfChange, ConfState, Entry } from '../types.js'
import { applyConfChangeToTracker } from './conf-change-apply.js'
import { decodeConfChange, encodeConfChange } from './conf-change-codec.js'
import type { Raft } from './raft.js'

/**
 * A new cluster's configuration is written into the log as committed conf change entries of
 * term 1 (etcd's Bootstrap), identical on every founding member. A member added later starts
 * with an empty configuration and learns it by replicating those entries.
 */
export function bootstrapLog (r: Raft, cs: ConfState): void {
  // sorted, so members given the same set in a different order write the same entries
  const changes: ConfChange[] = [
    ...[...cs.voters].sort().map((nodeId): ConfChange => ({ type: 'addVoter', nodeId })),
    ...[...cs.learners].sort().map((nodeId): ConfChange => ({ type: 'addLearner', nodeId }))
  ]
  const ents: Entry[] = changes.map((cc, i) => ({ term: 1, index: i + 1, type: 'confChange', data: encodeConfChange(cc) }))
  r.term = 1
  r.log.append(ents)
  r.log.committed = ents.length
}

/**
 * The storage's configuration is its snapshot's; conf changes after the snapshot that the
 * application already applied (before a restart) will not be applied again, so re-apply them
 * to the configuration here.
 */
export function replayConfChanges (r: Raft, applied: number): void {
  const first = r.log.firstIndex()
  if (applied < first) return
  for (const e of r.log.slice(first, applied + 1)) {
    if (e.type === 'confChange') applyConfChangeToTracker(r, decodeConfChange(e.data))
  }
}
