// Leader → follower traffic: AppendEntries (§5.3), heartbeats (§5.2) and InstallSnapshot (§7),
// paced per follower by its Progress (probe / replicate / snapshot).

import type { NodeId } from '../types.js'
import type { Raft } from './raft.js'

/**
 * Send `to` the entries from its next index, if its Progress is not paused. With
 * `sendIfEmpty` an empty MsgApp still goes out (to carry a new commit index or probe).
 * Falls back to a snapshot when the entries it needs were compacted. Returns whether
 * anything was sent.
 */
export function maybeSendAppend (r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.tracker.progress.get(to)
  if (pr === undefined || pr.isPaused()) return false
  const prevIndex = pr.next - 1
  const prevTerm = r.log.term(prevIndex)
  const ents = r.log.entries(pr.next, r.maxSizePerMsgBytes)
  if (prevTerm === undefined || ents === undefined) return maybeSendSnapshot(r, to)
  if (ents.length === 0 && !sendIfEmpty) return false
  r.send({ type: 'MsgApp', to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: r.log.committed })
  pr.sentEntries(ents.length > 0 ? ents[ents.length - 1]!.index : prevIndex, ents.length)
  return true
}

/** §7 InstallSnapshot: the follower needs entries we no longer have */
function maybeSendSnapshot (r: Raft, to: NodeId): boolean {
  const pr = r.tracker.progress.get(to)!
  // a follower we have not heard from recently would probably not receive it either (etcd)
  if (!pr.recentActive) return false
  const snapshot = r.log.snapshot()
  if (snapshot.metadata.index === 0) return false // nothing compacted yet: cannot happen with a real gap
  r.send({ type: 'MsgSnap', to, snapshot })
  pr.becomeSnapshot(snapshot.metadata.index)
  return true
}

export function bcastAppend (r: Raft): void {
  for (const id of r.tracker.peers(r.id)) maybeSendAppend(r, id, true)
}

/**
 * Heartbeats carry commit = min(match, committed): a follower must not commit entries it may
 * not have, or that may not match ours (it only knows its log matches up to match).
 */
export function sendHeartbeat (r: Raft, to: NodeId, context: Uint8Array | undefined): void {
  const pr = r.tracker.progress.get(to)
  if (pr === undefined) return
  const commit = Math.min(pr.match, r.log.committed)
  r.send(context === undefined ? { type: 'MsgHeartbeat', to, commit } : { type: 'MsgHeartbeat', to, commit, context })
}

export function bcastHeartbeat (r: Raft, context?: Uint8Array): void {
  const ctx = context ?? r.readOnly.lastPendingContext()
  for (const id of r.tracker.peers(r.id)) sendHeartbeat(r, id, ctx)
}
