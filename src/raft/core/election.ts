// Elections (§5.2) and voting (§5.2, §5.4.1), with pre-vote (thesis §9.6) and the campaign a
// leadership transfer triggers (thesis §3.10).

import { assert } from '../../util/assert.js'
import type { Message } from '../types.js'
import { CAMPAIGN_TRANSFER_CONTEXT, NO_LEADER } from './constants.js'
import { voteResponseType } from './messages.js'
import type { MessageInit } from './messages.js'
import type { CampaignType, Raft } from './raft.js'

export function hup (r: Raft, type: CampaignType): void {
  if (r.role === 'leader') return
  if (!r.promotable()) return
  // a conf change committed but not applied could change who may vote: wait for it (etcd)
  if (hasUnappliedConfChanges(r)) return
  campaign(r, type)
}

function hasUnappliedConfChanges (r: Raft): boolean {
  if (r.log.committed <= r.log.applied) return false
  const lo = Math.max(r.log.applied + 1, r.log.firstIndex())
  if (lo > r.log.committed) return false
  return r.log.slice(lo, r.log.committed + 1).some(e => e.type === 'confChange')
}

export function campaign (r: Raft, type: CampaignType): void {
  let voteMsg: 'MsgVote' | 'MsgPreVote'
  let term: number
  if (type === 'preElection') {
    r.becomePreCandidate()
    voteMsg = 'MsgPreVote'
    term = r.term + 1 // the term we would campaign in; ours is unchanged
  } else {
    r.becomeCandidate()
    voteMsg = 'MsgVote'
    term = r.term
  }
  r.tracker.recordVote(r.id, true)
  const result = r.tracker.tallyVotes()
  if (result === 'won') {
    // a single-voter cluster wins at once
    if (type === 'preElection') campaign(r, 'election')
    else r.becomeLeader()
    return
  }
  for (const id of r.tracker.voters) {
    if (id === r.id) continue
    const init: MessageInit = { type: voteMsg, to: id, term, index: r.log.lastIndex(), logTerm: r.log.lastTerm() }
    r.send(type === 'transfer' ? { ...init, context: CAMPAIGN_TRANSFER_CONTEXT } : init)
  }
}

/** §5.2 one vote per term, first come first served; §5.4.1 only for an up-to-date log */
export function handleVoteRequest (r: Raft, m: Message): void {
  const canVote = r.vote === m.from ||
    (r.vote === '' && r.lead === NO_LEADER) ||
    // a pre-vote for a future term does not bind us
    (m.type === 'MsgPreVote' && m.term > r.term)
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    // the response carries the request's term so the candidate counts it (for a pre-vote,
    // the term it would campaign in)
    r.send({ type: voteResponseType(m.type), to: m.from, term: m.term })
    if (m.type === 'MsgVote') {
      assert(r.vote === '' || r.vote === m.from, 'one vote per term', { id: r.id, term: r.term, vote: r.vote, candidate: m.from })
      r.electionElapsed = 0
      r.vote = m.from
    }
  } else {
    r.send({ type: voteResponseType(m.type), to: m.from, term: r.term, reject: true })
  }
}

