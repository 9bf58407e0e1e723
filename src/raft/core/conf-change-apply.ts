// Applying a configuration change to the tracker (thesis §4.1 single-server changes). A change
// takes effect when the application applies its entry (as in etcd), which is safe because the
// leader allows one change at a time: the next is only proposed once this one is applied.

import type { ConfChange, ConfState } from '../types.js'
import { Progress } from './progress.js'
import type { Raft } from './raft.js'

export function applyConfChangeToTracker (r: Raft, cc: ConfChange): ConfState {
  const t = r.tracker
  const id = cc.nodeId
  const last = r.log.lastIndex()
  const ensureProgress = (isLearner: boolean): void => {
    const pr = t.progress.get(id)
    if (pr !== undefined) {
      pr.isLearner = isLearner
      return
    }
    const fresh = new Progress(0, last + 1, t.maxInflightMsgs, isLearner)
    // a new member counts as active, so check-quorum does not depose the leader at once
    fresh.recentActive = true
    t.progress.set(id, fresh)
  }
  switch (cc.type) {
    case 'addVoter':
      t.learners = t.learners.filter(x => x !== id)
      if (!t.voters.includes(id)) t.voters = [...t.voters, id].sort()
      ensureProgress(false)
      break
    case 'addLearner':
      t.voters = t.voters.filter(x => x !== id)
      if (!t.learners.includes(id)) t.learners = [...t.learners, id].sort()
      ensureProgress(true)
      break
    case 'removeNode':
      t.voters = t.voters.filter(x => x !== id)
      t.learners = t.learners.filter(x => x !== id)
      t.progress.delete(id)
      break
  }
  return t.confState()
}

/** the core-facing half: update the tracker, then let the leader react to its new quorum */
export function applyConfChange (r: Raft, cc: ConfChange): ConfState {
  const cs = applyConfChangeToTracker(r, cc)
  if (r.role === 'leader' && !r.tracker.isVoter(r.id)) {
    // thesis §4.2.2: a leader removed from the configuration steps down once the change is
    // committed (it is: we are applying it). Hand over to the most up-to-date voter at once.
    let best = ''
    let bestMatch = -1
    for (const v of r.tracker.voters) {
      const match = r.tracker.progress.get(v)?.match ?? 0
      if (match > bestMatch) { best = v; bestMatch = match }
    }
    if (best !== '' && bestMatch === r.log.lastIndex()) r.sendTimeoutNow(best)
    r.becomeFollower(r.term, '')
    return cs
  }
  r.afterConfChange()
  return cs
}

/** §7: a snapshot carries the configuration as of its last entry */
export function applySnapshotConf (r: Raft, cs: ConfState): void {
  r.tracker.reset(cs, r.log.lastIndex())
}
