// A read-only view of a core for drivers, tests and the simulator's invariant checks.

import type { RaftStatus } from '../api.js'
import type { Raft } from './raft.js'

export function raftStatus (r: Raft): RaftStatus {
  const base = {
    id: r.id,
    term: r.term,
    vote: r.vote,
    commit: r.log.committed,
    applied: r.log.applied,
    lastIndex: r.log.lastIndex(),
    role: r.role,
    leader: r.lead,
    confState: r.tracker.confState()
  }
  if (r.role !== 'leader') return base
  const progress: Record<string, { match: number, next: number, state: 'probe' | 'replicate' | 'snapshot' }> = {}
  for (const [id, pr] of r.tracker.progress) progress[id] = { match: pr.match, next: pr.next, state: pr.state }
  return { ...base, progress }
}
