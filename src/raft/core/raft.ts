// The Raft state of one node and the transitions every role shares (etcd's raft struct):
// loading durable state, becoming follower / pre-candidate / candidate / leader, ticks, campaigns,
// the term rules applied to every incoming message (§5.1), and voting (§5.2, §5.4.1).
// Role-specific handling lives in step-leader.ts, step-candidate.ts and step-follower.ts.

import type { Prng, RaftCoreConfig } from '../api.js'
import { EntryTooLargeError, ProposalDroppedError } from '../api.js'
import { assert } from '../../util/assert.js'
import { entriesSizeBytes } from '../storage.js'
import type { Entry, Message, NodeId, RaftRole, ReadState } from '../types.js'
import { bootstrapLog, replayConfChanges } from './bootstrap.js'
import { campaign, handleVoteRequest, hup } from './election.js'
import {
  CAMPAIGN_TRANSFER_CONTEXT, DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_INFLIGHT_MSGS, DEFAULT_MAX_SIZE_PER_MSG_BYTES,
  DEFAULT_MAX_UNCOMMITTED_ENTRIES_BYTES, NO_LEADER
} from './constants.js'
import { bytesEqual, isLocalMessage, makeMessage } from './messages.js'
import type { MessageInit } from './messages.js'
import { ProgressTracker } from './progress-tracker.js'
import { RaftLog } from './raft-log.js'
import { ReadOnlyQueue } from './read-only.js'
import { bcastAppend, maybeSendAppend } from './replication.js'
import { stepCandidate } from './step-candidate.js'
import { stepFollower } from './step-follower.js'
import { stepLeader } from './step-leader.js'

export type CampaignType = 'preElection' | 'election' | 'transfer'

export class Raft {
  readonly id: NodeId
  term = 0
  vote: NodeId = ''
  role: RaftRole = 'follower'
  lead: NodeId = NO_LEADER
  readonly log: RaftLog
  readonly tracker: ProgressTracker
  /** leader: ReadIndex requests awaiting a heartbeat quorum; dropped on every term or role change */
  readOnly = new ReadOnlyQueue()
  /** outgoing messages, handed out by the next Ready */
  msgs: Message[] = []
  readStates: ReadState[] = []
  /** ReadIndex requests that arrived before this leader committed an entry of its term (§6.4) */
  pendingReadIndexMessages: Message[] = []

  readonly electionTimeoutTicks: number
  readonly heartbeatTimeoutTicks: number
  randomizedElectionTimeoutTicks = 0
  electionElapsed = 0
  heartbeatElapsed = 0

  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly maxSizePerMsgBytes: number
  readonly maxEntryBytes: number
  readonly maxUncommittedEntriesBytes: number
  uncommittedSizeBytes = 0

  /** leader: the peer leadership is being handed to (thesis §3.10), '' if none */
  leadTransferee: NodeId = ''
  /** leader: index of the last conf change appended; a new one waits until this is applied */
  pendingConfIndex = 0
  private readonly rng: Prng

  constructor (config: RaftCoreConfig) {
    assert(config.id.length > 0, 'node id must not be empty')
    assert(Number.isInteger(config.heartbeatTick) && config.heartbeatTick > 0, 'heartbeatTick must be a positive integer', config.heartbeatTick)
    assert(Number.isInteger(config.electionTick) && config.electionTick > config.heartbeatTick,
      'electionTick must be an integer greater than heartbeatTick', { electionTick: config.electionTick, heartbeatTick: config.heartbeatTick })
    this.id = config.id
    this.rng = config.rng
    this.electionTimeoutTicks = config.electionTick
    this.heartbeatTimeoutTicks = config.heartbeatTick
    this.preVote = config.preVote ?? false
    this.checkQuorum = config.checkQuorum ?? false
    this.maxSizePerMsgBytes = config.maxSizePerMsgBytes ?? DEFAULT_MAX_SIZE_PER_MSG_BYTES
    this.maxEntryBytes = config.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    assert(Number.isSafeInteger(this.maxEntryBytes) && this.maxEntryBytes > 0, 'maxEntryBytes must be a positive integer', config.maxEntryBytes)
    this.maxUncommittedEntriesBytes = config.maxUncommittedEntriesBytes ?? DEFAULT_MAX_UNCOMMITTED_ENTRIES_BYTES
    this.log = new RaftLog(config.storage)
    this.tracker = new ProgressTracker(config.maxInflightMsgs ?? DEFAULT_MAX_INFLIGHT_MSGS)

    const { hardState, confState } = config.storage.initialState()
    this.tracker.reset(confState, this.log.lastIndex())
    if (hardState.term !== 0 || hardState.vote !== '' || hardState.commit !== 0) {
      // a durable commit outside the log means storage lost or corrupted entries: refuse to run
      assert(hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(),
        'durable commit index is outside the log', { hardState, ...this.log.describe() })
      this.log.committed = hardState.commit
      this.term = hardState.term
      this.vote = hardState.vote
    }
    if (hardState.term === 0 && this.log.lastIndex() === 0 && confState.voters.length + confState.learners.length > 0) {
      bootstrapLog(this, confState)
    }
    const applied = config.applied ?? 0
    if (applied > this.log.committed) {
      // the application applied entries whose commit index was not yet saved (a driver may defer
      // commit-only hard state changes): they were committed, or they would not be applied
      assert(applied <= this.log.lastIndex(), 'applied index past the end of the durable log', { applied, ...this.log.describe() })
      this.log.committed = applied
    }
    if (applied > this.log.applied) {
      this.log.appliedTo(applied)
      replayConfChanges(this, applied)
    }
    this.becomeFollower(this.term, NO_LEADER)
  }

  // ---- role transitions -------------------------------------------------------------------

  private reset (term: number): void {
    // §5.1: terms only grow; a node that went back in term could vote twice in one term
    assert(term >= this.term, 'term never decreases', { id: this.id, term: this.term, newTerm: term })
    if (this.term !== term) {
      // Messages stepped before this one but not yet taken into a Ready speak for the old
      // term, and may acknowledge entries the new term's leader is about to truncate before
      // they are ever persisted (seen with several messages stepped per Ready: an ack of
      // 17@4 queued, then a term-5 MsgApp replacing 16..17): dropping them is a message loss,
      // which Raft tolerates; sending them could count a copy that never reaches disk.
      // Forwarded requests (term 0) are not tied to a term and stay.
      this.msgs = this.msgs.filter((m) => m.term === 0 || m.term >= term)
      this.term = term
      this.vote = ''
    }
    this.lead = NO_LEADER
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.abortLeaderTransfer()
    this.tracker.resetVotes()
    const last = this.log.lastIndex()
    for (const [id, pr] of this.tracker.progress) {
      // a new term starts from scratch: we only know our own log
      pr.resetTo(id === this.id ? last : 0, last + 1)
      pr.recentActive = id === this.id
    }
    this.pendingConfIndex = 0
    this.uncommittedSizeBytes = 0
    this.pendingReadIndexMessages = []
    // a read index recorded under an earlier leadership must never be released by a later
    // heartbeat round: a write committed by another leader in between would be missed (§6.4)
    this.readOnly = new ReadOnlyQueue()
  }

  becomeFollower (term: number, lead: NodeId): void {
    this.reset(term)
    this.lead = lead
    this.role = 'follower'
  }

  /** thesis §9.6 Pre-Vote: ask whether we could win before disturbing anyone with a new term */
  becomePreCandidate (): void {
    assert(this.role !== 'leader', 'leader cannot become pre-candidate', { id: this.id })
    // keep term and vote: a pre-election changes no durable state
    this.tracker.resetVotes()
    this.lead = NO_LEADER
    this.role = 'preCandidate'
  }

  becomeCandidate (): void {
    assert(this.role !== 'leader', 'leader cannot become candidate', { id: this.id })
    this.reset(this.term + 1)
    this.vote = this.id // §5.2: vote for self
    this.role = 'candidate'
  }

  becomeLeader (): void {
    assert(this.role === 'candidate', 'only a candidate can become leader', { id: this.id, role: this.role })
    this.reset(this.term)
    this.lead = this.id
    this.role = 'leader'
    this.tracker.progress.get(this.id)?.becomeReplicate()
    // conservatively treat any unapplied entry as a possible conf change (etcd)
    this.pendingConfIndex = this.log.lastIndex()
    // §5.4.2 / §8: commit an entry of our own term promptly, which commits everything before it
    // and tells us the commit index (needed for ReadIndex and conf changes)
    const appended = this.appendEntries([{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }])
    assert(appended, 'the empty leader entry is never dropped')
  }

  private resetRandomizedElectionTimeout (): void {
    // §5.2: randomised timeouts make split votes rare
    this.randomizedElectionTimeoutTicks = this.electionTimeoutTicks + this.rng.nextInt(this.electionTimeoutTicks)
  }

  pastElectionTimeout (): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeoutTicks
  }

  /** may this node become leader? Only voters that are in their own configuration. */
  promotable (): boolean {
    return this.tracker.isVoter(this.id)
  }

  // ---- ticks --------------------------------------------------------------------------------

  tick (): void {
    if (this.role === 'leader') this.tickHeartbeat()
    else this.tickElection()
  }

  private tickElection (): void {
    this.electionElapsed++
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0
      this.step(makeMessage({ type: 'MsgHup', from: this.id }))
    }
  }

  private tickHeartbeat (): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.electionTimeoutTicks) {
      this.electionElapsed = 0
      if (this.checkQuorum) this.step(makeMessage({ type: 'MsgCheckQuorum', from: this.id }))
      // a transfer that did not finish within an election timeout is abandoned (thesis §3.10)
      if (this.role === 'leader' && this.leadTransferee !== '') this.abortLeaderTransfer()
    }
    if (this.role !== 'leader') return
    if (this.heartbeatElapsed >= this.heartbeatTimeoutTicks) {
      this.heartbeatElapsed = 0
      this.step(makeMessage({ type: 'MsgBeat', from: this.id }))
    }
  }

  // ---- campaigning (election.ts) -----------------------------------------------------------

  hup (type: CampaignType): void {
    hup(this, type)
  }

  campaign (type: CampaignType): void {
    campaign(this, type)
  }

  /** count a vote response; returns the tally */
  poll (from: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    this.tracker.recordVote(from, granted)
    return this.tracker.tallyVotes()
  }

  // ---- step: the term rules every message goes through (§5.1) --------------------------------

  step (m: Message): void {
    if (m.term === 0) {
      // local message or a forwarded proposal / read: no term
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER_CONTEXT)
        // thesis §4.2.3: while we hear from a leader, ignore vote requests, so a removed or
        // partitioned server cannot depose a working leader
        const inLease = this.checkQuorum && this.lead !== NO_LEADER && this.electionElapsed < this.electionTimeoutTicks
        if (!force && inLease) return
      }
      if (m.type === 'MsgPreVote') {
        // a pre-vote never changes our term
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // the term is bumped only if the pre-election is won
      } else if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap') {
        this.becomeFollower(m.term, m.from)
      } else {
        this.becomeFollower(m.term, NO_LEADER)
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // a stale leader (e.g. after a partition healed) learns our term and steps down; without
        // this, with check-quorum/pre-vote it might never hear a higher term (etcd)
        this.send({ type: 'MsgAppResp', to: m.from })
      } else if (m.type === 'MsgPreVote') {
        this.send({ type: 'MsgPreVoteResp', to: m.from, term: this.term, reject: true })
      }
      return // other stale messages are ignored
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.preVote ? 'preElection' : 'election')
        return
      case 'MsgVote':
      case 'MsgPreVote':
        handleVoteRequest(this, m)
        return
      default:
        this.stepRole(m)
    }
  }

  private stepRole (m: Message): void {
    switch (this.role) {
      case 'leader': stepLeader(this, m); break
      case 'candidate':
      case 'preCandidate': stepCandidate(this, m); break
      case 'follower': stepFollower(this, m); break
    }
  }

  // ---- sending, appending, committing: shared by the roles -------------------------------

  send (init: MessageInit): void {
    const isVote = init.type === 'MsgVote' || init.type === 'MsgPreVote' || init.type === 'MsgVoteResp' || init.type === 'MsgPreVoteResp'
    let term: number
    if (isVote) {
      // vote messages carry the campaign's term, set by the caller
      assert(init.term !== undefined && init.term > 0, 'vote messages must carry a term', init)
      term = init.term
    } else {
      assert(init.term === undefined || init.term === 0, 'only vote messages set their own term', init)
      // proposals and read requests forwarded to the leader travel like local messages
      term = init.type === 'MsgProp' || init.type === 'MsgReadIndex' ? 0 : this.term
    }
    assert(!isLocalMessage(init.type), 'local messages are never sent', init)
    // forwarded requests keep their origin (MsgProp, MsgReadIndex, MsgTransferLeader)
    this.msgs.push(makeMessage({ ...init, from: init.from ?? this.id, term }))
  }

  /**
   * Leader: append entries in the current term and count our own copy. Returns false when
   * the uncommitted-bytes budget refuses them.
   */
  appendEntries (ents: readonly Entry[]): boolean {
    assert(this.role === 'leader', 'only the leader appends proposals', { id: this.id, role: this.role })
    // counted like a MsgApp counts them (data plus per-entry overhead), so empty entries are
    // not free: one proposal of millions of them would otherwise grow the log without bound
    const sizeBytes = entriesSizeBytes(ents)
    // always accept something when nothing is outstanding, so a large entry is not starved
    // (and the empty entry of a new leader, appended right after the budget is reset)
    if (this.uncommittedSizeBytes > 0 && this.uncommittedSizeBytes + sizeBytes > this.maxUncommittedEntriesBytes) return false
    this.uncommittedSizeBytes += sizeBytes
    let index = this.log.lastIndex()
    const stamped = ents.map(e => ({ ...e, term: this.term, index: ++index }))
    const last = this.log.append(stamped)
    this.tracker.progress.get(this.id)?.maybeUpdate(last)
    this.maybeCommit()
    return true
  }

  /** leader: commit what a majority stores, if it is of our term (§5.4.2) */
  maybeCommit (): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term)
  }

  committedEntryInCurrentTerm (): boolean {
    return this.log.term(this.log.committed) === this.term
  }

  reduceUncommittedSize (ents: readonly Entry[]): void {
    if (this.role !== 'leader') return
    const sizeBytes = entriesSizeBytes(ents)
    this.uncommittedSizeBytes = Math.max(0, this.uncommittedSizeBytes - sizeBytes)
  }

  abortLeaderTransfer (): void {
    this.leadTransferee = ''
  }

  sendTimeoutNow (to: NodeId): void {
    this.send({ type: 'MsgTimeoutNow', to })
  }

  /** leader: after the configuration changed, the quorum did too */
  afterConfChange (): void {
    if (this.role !== 'leader') return
    // removing a slow voter can make an entry committed; a new member needs its first probe
    if (this.maybeCommit()) bcastAppend(this)
    else for (const id of this.tracker.peers(this.id)) maybeSendAppend(this, id, false)
    if (this.leadTransferee !== '' && !this.tracker.isVoter(this.leadTransferee)) this.abortLeaderTransfer()
  }

  /** a proposal, read or transfer request; returns (or throws as ProposalDroppedError) why it was dropped */
  propose (m: Message, throwOnDrop: boolean): string | undefined {
    // Checked on every node, not only the leader: the proposer hears of it at once, and a
    // forwarded one (a peer may send anything) is dropped wherever it lands. Appended, an
    // entry too large for any message could never be replicated, and every later entry
    // would wait behind it.
    const tooLarge = m.type === 'MsgProp' ? m.entries.find(e => e.data.byteLength > this.maxEntryBytes) : undefined
    if (tooLarge !== undefined) {
      const reason = `an entry of ${tooLarge.data.byteLength} bytes is over the limit of ${this.maxEntryBytes}`
      if (throwOnDrop) throw new EntryTooLargeError(reason)
      return reason
    }
    const dropped = this.stepProposal(m)
    if (dropped !== undefined && throwOnDrop) throw new ProposalDroppedError(dropped)
    return dropped
  }

  private stepProposal (m: Message): string | undefined {
    if (this.role === 'leader') return stepLeader(this, m)
    if (this.role === 'follower') return stepFollower(this, m)
    return stepCandidate(this, m)
  }
}
