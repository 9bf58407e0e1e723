// Messages a leader handles: proposals (§5.3), append and heartbeat responses (flow control,
// commit), ReadIndex (thesis §6.4), check-quorum (thesis §6.2), leadership transfer (thesis §3.10).
// Returns a reason when a proposal or read is dropped, undefined otherwise.

import type { Message } from '../types.js'
import { decodeConfChange } from './conf-change-codec.js'
import type { Raft } from './raft.js'
import { bcastAppend, bcastHeartbeat, maybeSendAppend } from './replication.js'
import { quorumSize } from './quorum.js'
import { MAX_ENTRIES_PER_PROPOSAL } from './constants.js'

export function stepLeader (r: Raft, m: Message): string | undefined {
  switch (m.type) {
    case 'MsgBeat':
      bcastHeartbeat(r)
      return undefined
    case 'MsgCheckQuorum':
      // thesis §6.2: a leader that cannot reach a majority within an election timeout steps down,
      // so clients can find the real leader and stale reads stop
      if (!r.tracker.quorumActive(r.id)) {
        r.becomeFollower(r.term, '')
        return undefined
      }
      for (const [id, pr] of r.tracker.progress) if (id !== r.id) pr.recentActive = false
      return undefined
    case 'MsgProp':
      return handleProposal(r, m)
    case 'MsgReadIndex':
      return handleReadIndex(r, m)
    default:
      break
  }

  const pr = r.tracker.progress.get(m.from)
  if (pr === undefined) return undefined // not (or no longer) a member

  switch (m.type) {
    case 'MsgAppResp': {
      pr.recentActive = true
      if (m.reject) {
        // §5.3: back up nextIndex; the follower's hint (index, term) lets us skip a whole term
        let nextProbeIdx = m.rejectHint
        if (m.logTerm > 0) nextProbeIdx = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index
        if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
          if (pr.state === 'replicate') pr.becomeProbe()
          maybeSendAppend(r, m.from, true)
        }
        return undefined
      }
      const wasPaused = pr.isPaused()
      if (!pr.maybeUpdate(m.index)) return undefined
      if (pr.state === 'probe') {
        pr.becomeReplicate()
      } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
        // the follower caught up through the snapshot (or past it): resume normal replication
        pr.becomeProbe()
        pr.becomeReplicate()
      } else if (pr.state === 'replicate') {
        pr.inflights.freeLE(m.index)
      }
      if (r.maybeCommit()) {
        releasePendingReadIndexMessages(r)
        bcastAppend(r)
      } else if (wasPaused) {
        maybeSendAppend(r, m.from, true)
      }
      // keep the pipe full (thesis §10.2.1): send whatever the window now allows
      while (maybeSendAppend(r, m.from, false)) { /* until paused or nothing left */ }
      if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) r.sendTimeoutNow(m.from)
      return undefined
    }
    case 'MsgHeartbeatResp': {
      pr.recentActive = true
      pr.probeSent = false
      // a full window may mean lost acks: a live follower gets one more message through
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
      if (pr.match < r.log.lastIndex()) maybeSendAppend(r, m.from, true)
      if (m.context === undefined || m.context.byteLength === 0) return undefined
      const acks = r.readOnly.recvAck(m.from, m.context)
      if (acks === undefined) return undefined
      const voterAcks = r.tracker.voters.filter(id => acks.has(id)).length
      if (voterAcks < quorumSize(r.tracker.voters.length)) return undefined
      for (const status of r.readOnly.advance(m.context)) answerReadIndex(r, status.request, status.index)
      return undefined
    }
    case 'MsgSnapStatus':
      if (pr.state !== 'snapshot') return undefined
      // success or not, go back to probing; on failure forget the snapshot so it is resent.
      // Wait for the follower's answer (or a heartbeat response) before sending more.
      if (m.reject) pr.pendingSnapshot = 0
      pr.becomeProbe()
      pr.probeSent = true
      return undefined
    case 'MsgUnreachable':
      // the transport lost a message: stop pipelining to this peer, probe instead
      if (pr.state === 'replicate') pr.becomeProbe()
      return undefined
    case 'MsgTransferLeader':
      return handleTransferLeader(r, m)
    default:
      return undefined
  }
}

function handleProposal (r: Raft, m: Message): string | undefined {
  if (m.entries.length === 0) return 'empty proposal'
  // the budget alone would take any number at once when nothing is outstanding
  if (m.entries.length > MAX_ENTRIES_PER_PROPOSAL) return `${m.entries.length} entries in one proposal, at most ${MAX_ENTRIES_PER_PROPOSAL}`
  if (!r.tracker.isMember(r.id)) return 'this leader was removed from the configuration'
  if (r.leadTransferee !== '') return `leadership is being transferred to ${r.leadTransferee}`
  for (const e of m.entries) {
    if (e.type !== 'confChange') continue
    // thesis §4.1 single-server changes, one at a time: the previous one must be applied first
    if (r.pendingConfIndex > r.log.applied) return `a conf change at index ${r.pendingConfIndex} is not applied yet`
    // thesis §4.1 as corrected by Ongaro (raft-dev, 2015): a new leader must commit an entry of
    // its own term before changing the configuration, or two leaders may decide overlapping changes
    if (!r.committedEntryInCurrentTerm()) return 'this leader has not committed an entry of its term yet'
    const cc = decodeConfChange(e.data)
    const votersAfter = r.tracker.voters.filter(id => id !== cc.nodeId || cc.type === 'addVoter')
    if (votersAfter.length === 0) return `${cc.type} ${cc.nodeId} would leave no voters`
  }
  if (!r.appendEntries(m.entries)) return 'too many uncommitted bytes'
  if (m.entries.some(e => e.type === 'confChange')) r.pendingConfIndex = r.log.lastIndex()
  bcastAppend(r)
  return undefined
}

/** thesis §6.4 ReadIndex */
function handleReadIndex (r: Raft, m: Message): string | undefined {
  if (r.tracker.voters.length === 1 && r.tracker.isVoter(r.id)) {
    // alone, we are trivially the leader: the commit index is safe to read at
    answerReadIndex(r, m, r.log.committed)
    return undefined
  }
  // step 1 of §6.4: until we committed an entry of our term, our commit index may be stale
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m)
    return undefined
  }
  startReadIndex(r, m)
  return undefined
}

function startReadIndex (r: Raft, m: Message): void {
  // steps 2–3: record the commit index, confirm leadership with a heartbeat round
  r.readOnly.addRequest(r.log.committed, m)
  r.readOnly.recvAck(r.id, m.context)
  bcastHeartbeat(r, m.context)
}

export function releasePendingReadIndexMessages (r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !r.committedEntryInCurrentTerm()) return
  const pending = r.pendingReadIndexMessages
  r.pendingReadIndexMessages = []
  for (const m of pending) startReadIndex(r, m)
}

function answerReadIndex (r: Raft, request: Message, index: number): void {
  if (request.from === r.id || request.from === '') {
    r.readStates.push({ index, requestCtx: request.context ?? new Uint8Array(0) })
  } else {
    r.send({ type: 'MsgReadIndexResp', to: request.from, index, ...(request.context === undefined ? {} : { context: request.context }) })
  }
}

/** thesis §3.10: bring the target up to date, then tell it to start an election at once */
function handleTransferLeader (r: Raft, m: Message): string | undefined {
  const transferee = m.from
  const pr = r.tracker.progress.get(transferee)
  if (pr === undefined || pr.isLearner) return `${transferee} is not a voter`
  if (r.leadTransferee !== '') {
    if (r.leadTransferee === transferee) return undefined // already in progress
    r.abortLeaderTransfer()
  }
  if (transferee === r.id) return undefined // already leader
  r.electionElapsed = 0 // the transfer must finish within one election timeout
  r.leadTransferee = transferee
  if (pr.match === r.log.lastIndex()) r.sendTimeoutNow(transferee)
  else maybeSendAppend(r, transferee, true)
  return undefined
}
