// Runs a RaftCore against storage, a transport and a state machine (etcd's raft.Node loop, made
// synchronous): for each Ready, persist (one storage.save), then send, then apply, then advance.
// Time is tick() calls only, so the simulator drives it deterministically.
//
// Requests are promises answered when this node applies the entry (proposals, conf changes) or
// has applied up to the confirmed read index (reads), or rejected with a JadfsError. A proposal
// or read forwarded to a leader that is then replaced may have been lost with it: both are handed
// to the core again when a new leader or term appears, and the state machine applies at most
// one copy of a proposal (proposal-window.ts).

import { JadfsError } from '../../errors.js'
import { AssertionFailure, assert } from '../../util/assert.js'
import { EntryTooLargeError, ProposalDroppedError } from '../api.js'
import { SkippedProposal } from '../proposal-window.js'
import type { RaftCore, RaftDriver, RaftDriverConfig, RaftStatus, RaftTransport, StateMachine } from '../api.js'
import { NO_LEADER_REASON, createRaftCore, decodeConfChange, isLocalMessage } from '../core/index.js'
import type { RaftStorage } from '../storage.js'
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready } from '../types.js'
import { DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_REQUEST_TIMEOUT_TICKS, DEFAULT_SNAPSHOT_ENTRIES, MAX_INBOX_MESSAGES } from './constants.js'
import { proposalId, proposalTag, unwrapPayload, wrapPayload } from './envelope.js'
import { PendingRequests } from './pending-requests.js'
import type { RequestKind } from './pending-requests.js'

export class Driver implements RaftDriver {
  private readonly id: NodeId
  private readonly core: RaftCore
  private readonly storage: RaftStorage
  private readonly transport: RaftTransport
  private readonly stateMachine: StateMachine
  private readonly requestTimeoutTicks: number
  private readonly snapshotEntries: number
  private readonly pending: PendingRequests
  /** distinguishes this run's request ids from those of earlier runs of the same node */
  private readonly incarnation: string
  private requestCounter = 0
  private nowTick = 0
  private applied: number
  private snapshotIndex: number
  private confState: ConfState
  private removed = false
  /** the leader as of the last Ready's soft state ('' = none known) */
  private leader: NodeId = ''
  /** the term as of the last Ready's hard state */
  private term: number
  private stopped = false
  /** messages that arrived while a Ready was being handled (a synchronous transport re-enters) */
  private readonly inbox: Message[] = []
  /** peers the transport could not reach since the last Ready loop */
  private readonly unreachable = new Set<NodeId>()
  private droppedMessages = 0
  private processing = false
  private readonly scheduleReady: ((run: () => void) => void) | undefined
  private readonly onConfChange: ((change: ConfChange, confState: ConfState) => void) | undefined
  private scheduled = false
  /** a commit-only hard state change not yet saved (see handleReady) */
  private unsavedHardState: HardState | undefined

  constructor (config: RaftDriverConfig) {
    this.id = config.id
    this.storage = config.storage
    this.transport = config.transport
    this.stateMachine = config.stateMachine
    this.requestTimeoutTicks = config.requestTimeoutTicks ?? DEFAULT_REQUEST_TIMEOUT_TICKS
    this.snapshotEntries = config.snapshotEntries ?? DEFAULT_SNAPSHOT_ENTRIES
    this.pending = new PendingRequests(config.maxPendingRequests ?? DEFAULT_MAX_PENDING_REQUESTS)
    this.scheduleReady = config.scheduleReady
    this.onConfChange = config.onConfChange
    assert(Number.isInteger(this.requestTimeoutTicks) && this.requestTimeoutTicks > 0, 'requestTimeoutTicks must be a positive integer', config.requestTimeoutTicks)
    assert(Number.isInteger(this.snapshotEntries) && this.snapshotEntries > 0, 'snapshotEntries must be a positive integer', config.snapshotEntries)

    // restart: a state machine behind the durable snapshot (e.g. an in-memory one) starts from it
    const snap = this.storage.snapshot()
    if (snap.metadata.index > this.stateMachine.appliedIndex()) this.stateMachine.restore(snap.data, snap.metadata.index)
    this.applied = this.stateMachine.appliedIndex()
    this.snapshotIndex = snap.metadata.index
    this.core = createRaftCore({
      id: config.id,
      storage: config.storage,
      rng: config.rng,
      electionTick: config.electionTick,
      heartbeatTick: config.heartbeatTick,
      applied: this.applied,
      preVote: config.preVote,
      checkQuorum: config.checkQuorum,
      maxSizePerMsgBytes: config.maxSizePerMsgBytes,
      maxEntryBytes: config.maxEntryBytes,
      maxInflightMsgs: config.maxInflightMsgs,
      maxUncommittedEntriesBytes: config.maxUncommittedEntriesBytes
    })
    this.confState = this.core.status().confState
    // request ids must never repeat across restarts, or an old entry still in the log could
    // answer a new request: the rng must be seeded afresh for each start (the simulator forks
    // one per start), and the durable term and log length at start are mixed in as well
    const hs = this.storage.initialState().hardState
    this.term = hs.term
    this.incarnation = `${hs.term}-${this.storage.lastIndex()}-${config.rng.nextInt(0x1_0000_0000).toString(36)}`
    // a node id that cannot make a proposal id (a tag) fails here, not at its first write
    proposalId(`${this.id}.${this.incarnation}.${Number.MAX_SAFE_INTEGER}`, Number.MAX_SAFE_INTEGER)
  }

  tick (): void {
    if (this.stopped) return
    this.nowTick++
    this.core.tick()
    this.pending.expire(this.nowTick)
    this.drain()
  }

  receive (message: Message): void {
    if (this.stopped) return
    // A peer can send anything. Types only the local node makes, or a message addressed to
    // someone else, would trip the core's assertions (which guard against our own bugs), so
    // they stop here instead of crashing the node.
    if (isLocalMessage(message.type) || message.to !== this.id) {
      this.droppedMessages++
      return
    }
    if (this.inbox.length >= MAX_INBOX_MESSAGES) {
      this.droppedMessages++
      return
    }
    this.inbox.push(message)
    this.kick()
  }

  reportUnreachable (to: NodeId): void {
    if (this.stopped) return
    // applied in the Ready loop, never in the middle of handling a Ready
    this.unreachable.add(to)
    this.kick()
  }

  /** messages refused by receive(): local-only types, misaddressed, or over the inbox cap */
  get droppedMessageCount (): number {
    return this.droppedMessages
  }

  propose (payload: Uint8Array): Promise<unknown> {
    return this.request('proposal', id => { this.core.propose(wrapPayload(id, payload)) })
  }

  proposeConfChange (change: ConfChange): Promise<ConfState> {
    return this.request('confChange', id => {
      // the request id rides in the context; the application's context follows it
      this.core.proposeConfChange({ ...change, context: wrapPayload(id, change.context ?? new Uint8Array(0)) })
    }) as Promise<ConfState>
  }

  async readBarrier (): Promise<void> {
    await this.request('read', id => this.core.readIndex(new TextEncoder().encode(id)))
  }

  transferLeadership (to: NodeId): void {
    this.checkUsable()
    try {
      this.core.transferLeadership(to)
    } catch (err) {
      throw this.translate(err)
    }
    this.kick()
  }

  status (): RaftStatus {
    return this.core.status()
  }

  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.pending.rejectAll(() => new JadfsError('SHUTTING_DOWN', 'the Raft driver stopped before the request was answered; its outcome is unknown'))
  }

  // ---- requests ----------------------------------------------------------------------------

  private request (kind: RequestKind, submit: (id: string) => void): Promise<unknown> {
    try {
      this.checkUsable()
      this.pending.checkCapacity()
      // without a known leader nothing can be forwarded: fail fast rather than time out
      if (this.leader === '') throw new JadfsError('NOT_LEADER', 'no Raft leader is known; retry later')
    } catch (err) {
      return Promise.reject(err)
    }
    const requestId = `${this.id}.${this.incarnation}.${++this.requestCounter}`
    const id = kind === 'proposal' ? proposalId(requestId, this.applied) : requestId
    // a conf change is not sent again: its callers retry, and a second copy is not skipped
    const resubmit = kind === 'confChange' ? undefined : () => { submit(id) }
    const promise = new Promise<unknown>((resolve, reject) => {
      this.pending.add(id, { kind, deadlineTick: this.nowTick + this.requestTimeoutTicks, resolve, reject, resubmit, submittedUnder: this.leaderTerm() })
    })
    try {
      submit(id)
    } catch (err) {
      this.pending.reject(id, err instanceof AssertionFailure ? err : this.translate(err))
      promise.catch(() => {}) // the failure is rethrown below or reported through `promise`
      if (err instanceof AssertionFailure) throw err // a bug: crash, do not turn it into a rejection
      return promise
    }
    this.kick()
    return promise
  }

  private checkUsable (): void {
    if (this.stopped) throw new JadfsError('SHUTTING_DOWN', 'the Raft driver is stopped')
    if (this.removed) throw new JadfsError('REMOVED_FROM_CLUSTER', `${this.id} was removed from the Raft configuration`)
  }

  private translate (err: unknown): Error {
    // not PROPOSAL_DROPPED: that one is retried, and this proposal would be refused every time
    if (err instanceof EntryTooLargeError) return new JadfsError('INVALID_ARGUMENT', `proposal refused: ${err.message}`, { cause: err })
    if (err instanceof ProposalDroppedError) {
      return err.message === NO_LEADER_REASON
        ? new JadfsError('NOT_LEADER', 'no Raft leader is known; retry later', { cause: err })
        : new JadfsError('PROPOSAL_DROPPED', `proposal dropped: ${err.message}`, { cause: err })
    }
    if (err instanceof Error) return err
    return new Error(String(err))
  }

  // ---- the Ready loop ----------------------------------------------------------------------

  /** process now, or once at the scheduler's convenience so concurrent calls share a Ready */
  private kick (): void {
    if (this.scheduleReady === undefined) {
      this.drain()
      return
    }
    if (this.scheduled) return
    this.scheduled = true
    this.scheduleReady(() => {
      this.scheduled = false
      this.drain()
    })
  }

  private drain (): void {
    if (this.processing || this.stopped) return
    this.processing = true
    try {
      while (!this.stopped) {
        for (const to of this.unreachable) this.core.reportUnreachable(to)
        this.unreachable.clear()
        const m = this.inbox.shift()
        if (m !== undefined) {
          this.core.step(m)
          continue
        }
        if (!this.core.hasReady()) break
        this.handleReady(this.core.ready())
      }
    } finally {
      this.processing = false
    }
  }

  private leaderTerm (): string {
    return `${this.leader}@${this.term}`
  }

  /**
   * Hands waiting proposals and reads to the core again once a new leader or term is known:
   * the old leader may have dropped them, or died with them. A proposal already in the new
   * leader's log commits twice, and the state machine skips the second copy.
   */
  private resubmitUnderNewLeader (): void {
    if (this.leader === '' || this.removed) return
    const leaderTerm = this.leaderTerm()
    for (const [, request] of this.pending.submittedElsewhere(leaderTerm)) {
      request.submittedUnder = leaderTerm
      try {
        request.resubmit!()
      } catch (err) {
        if (err instanceof AssertionFailure) throw err
        // refused now (over budget, a transfer under way): still waiting, as after a lost message
      }
    }
  }

  private handleReady (rd: Ready): void {
    const leaderTermBefore = this.leaderTerm()
    if (rd.softState !== undefined) this.leader = rd.softState.leader
    if (rd.hardState !== undefined) this.term = rd.hardState.term
    // 1. persist: votes, terms and log entries must be durable before any message that
    //    depends on them leaves (Figure 2: "respond after persisting")
    if (rd.hardState !== undefined && !rd.mustSync && rd.entries.length === 0 && rd.snapshot === undefined) {
      // only the commit index moved: nothing sent depends on it being durable, and a restart
      // recovers it (the core raises its commit to the applied index), so it waits for the next
      // save instead of costing an fsync of its own (etcd does not sync it either)
      this.unsavedHardState = rd.hardState
    } else if (rd.hardState !== undefined || rd.entries.length > 0 || rd.snapshot !== undefined) {
      this.storage.save({ hardState: rd.hardState ?? this.unsavedHardState, entries: rd.entries, snapshot: rd.snapshot })
      this.unsavedHardState = undefined
    }
    // 2. send
    if (rd.messages.length > 0) {
      this.transport.send(rd.messages)
      // the transport cannot tell us whether a snapshot arrived: report it sent, and let the
      // follower's answer (or a later probe) settle the outcome
      for (const m of rd.messages) if (m.type === 'MsgSnap') this.core.reportSnapshot(m.to, 'finish')
    }
    // 3. apply
    if (rd.snapshot !== undefined) this.applySnapshot(rd)
    for (const e of rd.committedEntries) this.applyEntry(e)
    for (const rs of rd.readStates) {
      const id = new TextDecoder().decode(rs.requestCtx)
      this.pending.confirmRead(id, rs.index)
    }
    // 4. advance
    this.core.advance(rd)
    if (this.pending.hasConfirmedReads()) {
      for (const id of this.pending.readsReady(this.applied)) this.pending.resolve(id, undefined)
    }
    this.maybeSnapshot()
    if (this.leaderTerm() !== leaderTermBefore) this.resubmitUnderNewLeader()
  }

  private applySnapshot (rd: Ready): void {
    const snap = rd.snapshot!
    this.stateMachine.restore(snap.data, snap.metadata.index)
    this.applied = snap.metadata.index
    this.snapshotIndex = snap.metadata.index
    this.confState = snap.metadata.confState
    this.settleProposalsAfterRestore()
  }

  /**
   * A snapshot may cover a proposal of ours: applied on the others, never here, so never
   * answered. One the snapshot says was applied, or that can no longer take effect, is answered
   * TIMEOUT (its result is unknown here); the rest are still waiting, so that an 'expired' copy
   * later still proves its proposal was never applied.
   */
  private settleProposalsAfterRestore (): void {
    for (const id of this.pending.proposalIds()) {
      const tag = proposalTag(id)
      if (tag === undefined) continue
      const verdict = this.stateMachine.proposalVerdict(tag, this.applied + 1)
      if (verdict === 'apply') continue
      const applied = verdict === 'duplicate'
      this.pending.reject(id, new JadfsError('TIMEOUT',
        `this peer caught up from a snapshot that ${applied ? 'includes the write: it was applied, but its result is unknown here' : 'may include the write: its outcome is unknown'}; check with stat before retrying`,
        { details: { kind: 'proposal', reason: 'snapshot', applied } }))
    }
  }

  private applyEntry (e: Entry): void {
    assert(e.index === this.applied + 1, 'entries are applied in order, without gaps', { index: e.index, applied: this.applied })
    this.applied = e.index
    if (e.type === 'confChange') {
      const wire = decodeConfChange(e.data)
      const { id, payload } = unwrapPayload(wire.context ?? new Uint8Array(0))
      const cc: ConfChange = payload.byteLength > 0 ? { type: wire.type, nodeId: wire.nodeId, context: payload } : { type: wire.type, nodeId: wire.nodeId }
      this.confState = this.core.applyConfChange(cc)
      this.onConfChange?.(cc, this.confState)
      if (id !== undefined) this.pending.resolve(id, this.confState)
      if (cc.type === 'removeNode' && cc.nodeId === this.id) this.markRemoved()
      // a node removed and later added back (a dead voter replaced, then restarted) serves again
      else if (cc.type !== 'removeNode' && cc.nodeId === this.id) this.removed = false
      return
    }
    if (e.data.byteLength === 0) return // a leader's no-op
    const { id, payload } = unwrapPayload(e.data)
    let result: unknown
    try {
      result = this.stateMachine.apply(e, payload, id === undefined ? undefined : proposalTag(id))
    } catch (err) {
      // a broken invariant must crash; an application error answers the proposer
      if (err instanceof AssertionFailure || id === undefined) throw err
      this.pending.reject(id, err instanceof Error ? err : new Error(String(err)))
      return
    }
    if (id === undefined) return
    if (!(result instanceof SkippedProposal)) {
      this.pending.resolve(id, result)
    } else if (result.reason === 'expired') {
      // still waiting here means never applied (this node applies every entry in order, and a
      // restore settles those it skips), and no later copy can apply: safe to propose anew
      this.pending.reject(id, new JadfsError('PROPOSAL_DROPPED', 'the proposal was committed too late to take effect and was not applied; retry', { details: { proposal: id, reason: 'expired' } }))
    } else {
      assert(!this.pending.has(id), 'a duplicate copy\'s proposal was answered by its first copy or by the restore that covered it', { id, index: e.index })
    }
  }

  private markRemoved (): void {
    this.removed = true
    this.pending.rejectAll(() => new JadfsError('REMOVED_FROM_CLUSTER', `${this.id} was removed from the Raft configuration`))
  }

  /** §7: snapshot the state machine and compact the log every snapshotEntries applied entries */
  private maybeSnapshot (): void {
    if (this.applied - this.snapshotIndex < this.snapshotEntries) return
    // the snapshot covers applied entries: their commit must be durable first
    if (this.unsavedHardState !== undefined) {
      this.storage.save({ hardState: this.unsavedHardState, entries: [] })
      this.unsavedHardState = undefined
    }
    const data = this.stateMachine.snapshot()
    this.storage.createSnapshot(this.applied, this.confState, data)
    this.storage.compact(this.applied)
    this.snapshotIndex = this.applied
  }
}
