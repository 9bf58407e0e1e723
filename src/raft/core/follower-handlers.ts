// What a follower (or a candidate that learns of a leader) does with the leader's messages:
// AppendEntries (§5.3), heartbeats, and InstallSnapshot (§7).

import type { Message } from '../types.js'
import type { Raft } from './raft.js'
import { applySnapshotConf } from './conf-change-apply.js'

export function handleAppendEntries (r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // everything up to our commit index matches the leader's log already (Log Matching)
    r.send({ type: 'MsgAppResp', to: m.from, index: r.log.committed })
    return
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries)
  if (lastNew !== undefined) {
    r.send({ type: 'MsgAppResp', to: m.from, index: lastNew })
    return
  }
  // §5.3 consistency check failed. Hint where our logs may match: the last index ≤ m.index
  // whose term is ≤ m.logTerm (entries above cannot match), with its term, so the leader can
  // skip a whole conflicting term per round trip instead of one entry.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm)
  r.send({ type: 'MsgAppResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term })
}

export function handleHeartbeat (r: Raft, m: Message): void {
  // the leader sends min(our match, its commit), which is in our log and matches it
  r.log.commitTo(m.commit)
  r.send(m.context === undefined ? { type: 'MsgHeartbeatResp', to: m.from } : { type: 'MsgHeartbeatResp', to: m.from, context: m.context })
}

export function handleSnapshot (r: Raft, m: Message): void {
  const snap = m.snapshot
  if (snap === undefined) return
  if (restoreSnapshot(r, m)) {
    r.send({ type: 'MsgAppResp', to: m.from, index: r.log.lastIndex() })
  } else {
    r.send({ type: 'MsgAppResp', to: m.from, index: r.log.committed })
  }
}

/** §7: install the leader's snapshot unless we already have what it covers */
function restoreSnapshot (r: Raft, m: Message): boolean {
  const snap = m.snapshot!
  const { index, term } = snap.metadata
  if (index <= r.log.committed) return false
  if (r.log.matchTerm(index, term)) {
    // our log already contains the snapshot's last entry: keep the log, just commit up to it
    r.log.commitTo(index)
    return false
  }
  r.log.restore(snap)
  applySnapshotConf(r, snap.metadata.confState)
  return true
}
