// The public surfaces of the Raft core and its driver. Written down first so the core,
// the driver, the simulator and (later) the libp2p transport can be built against them.

import type { ProposalTag, ProposalVerdict } from './proposal-window.js'
import type { RaftLogReader, RaftStorage } from './storage.js'
import type { ConfChange, ConfState, Entry, Message, NodeId, Ready, RaftRole } from './types.js'

/** deterministic randomness, injected; the simulator seeds it */
export interface Prng {
  /** integer in [0, n) */
  nextInt (n: number): number
}

export interface RaftCoreConfig {
  readonly id: NodeId
  readonly storage: RaftLogReader
  readonly rng: Prng
  /** ticks without hearing from a leader before a follower starts a (pre-)election;
   * the actual timeout is randomised in [electionTick, 2*electionTick) */
  readonly electionTick: number
  readonly heartbeatTick: number
  /** index of the last entry the application has applied (on restart) */
  readonly applied?: number
  readonly preVote?: boolean
  readonly checkQuorum?: boolean
  /** cap on the entries of one MsgApp, each counted as its data plus ENTRY_OVERHEAD_BYTES
   * (storage.ts); one entry goes out even if it alone is larger */
  readonly maxSizePerMsgBytes?: number
  /** cap on the data bytes of one proposed entry; a larger proposal is dropped (EntryTooLargeError
   * here, silently when a peer forwarded it), so that entry alone still fits one message */
  readonly maxEntryBytes?: number
  /** cap on un-acknowledged MsgApp per follower in replicate state */
  readonly maxInflightMsgs?: number
  /** cap on bytes of proposals not yet committed; over it, proposals are dropped */
  readonly maxUncommittedEntriesBytes?: number
}

export interface RaftStatus {
  readonly id: NodeId
  readonly term: number
  readonly vote: NodeId
  readonly commit: number
  readonly applied: number
  readonly lastIndex: number
  readonly role: RaftRole
  readonly leader: NodeId
  readonly confState: ConfState
  /** leader only: match index per peer */
  readonly progress?: Readonly<Record<NodeId, { match: number, next: number, state: 'probe' | 'replicate' | 'snapshot' }>>
}

/** Thrown by propose-like calls the core refuses (no leader known, transfer in progress, over budget). */
export class ProposalDroppedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ProposalDroppedError'
  }
}

/** A proposal whose entry is over maxEntryBytes: retrying cannot help. */
export class EntryTooLargeError extends ProposalDroppedError {
  constructor (message: string) {
    super(message)
    this.name = 'EntryTooLargeError'
  }
}

/** The pure core: no I/O, timers, clock or Math.random; everything enters through these calls. */
export interface RaftCore {
  tick (): void
  step (message: Message): void
  /** throws ProposalDroppedError if it cannot be accepted now */
  propose (data: Uint8Array): void
  proposeConfChange (change: ConfChange): void
  /** called by the application when a confChange entry is applied; returns the new configuration */
  applyConfChange (change: ConfChange): ConfState
  readIndex (requestCtx: Uint8Array): void
  transferLeadership (to: NodeId): void
  campaign (): void
  hasReady (): boolean
  ready (): Ready
  advance (ready: Ready): void
  /** snapshot the driver installed or created; lets the core serve MsgSnap */
  reportSnapshot (to: NodeId, status: 'finish' | 'failure'): void
  reportUnreachable (to: NodeId): void
  status (): RaftStatus
}

/** The application state machine the driver applies committed entries to. */
export interface StateMachine {
  /**
   * Apply one committed normal entry (empty-data no-ops are not passed); the result answers the
   * proposer. `proposal` is the entry's tag when it has one: the machine must judge it
   * (proposal-window.ts) and return a SkippedProposal instead of applying a duplicate or
   * expired copy, keeping the table of applied ids in the same durable step as its state and
   * in its snapshots.
   */
  apply (entry: Entry, payload: Uint8Array, proposal: ProposalTag | undefined): unknown
  /** serialised state, as of the last applied index */
  snapshot (): Uint8Array
  restore (data: Uint8Array, index: number): void
  appliedIndex (): number
  /** the verdict a copy of this proposal committed at `index` would get; records nothing */
  proposalVerdict (tag: ProposalTag, index: number): ProposalVerdict
}

export interface RaftTransport {
  /** queue messages for delivery; must not block and may drop (Raft retries) */
  send (messages: readonly Message[]): void
}

export interface RaftDriverConfig extends Omit<RaftCoreConfig, 'storage' | 'applied'> {
  readonly storage: RaftStorage
  readonly transport: RaftTransport
  readonly stateMachine: StateMachine
  /** a proposal or read not answered within this many ticks fails with TIMEOUT */
  readonly requestTimeoutTicks?: number
  /** take a snapshot and compact once this many entries were applied since the last one */
  readonly snapshotEntries?: number
  /** cap on proposals + reads waiting for an answer */
  readonly maxPendingRequests?: number
  /**
   * Defers the Ready processing that propose(), readBarrier() and receive() trigger, so calls
   * made together share one storage.save (one fsync) and one send: e.g. `queueMicrotask` or
   * `setImmediate` in a daemon. tick() always processes at once. Undefined (the default):
   * process synchronously inside each call, which is what a deterministic simulation wants.
   */
  readonly scheduleReady?: (run: () => void) => void
  /** told of every conf change as it is applied here (e.g. to learn a new member's addresses) */
  readonly onConfChange?: (change: ConfChange, confState: ConfState) => void
}

/**
 * Runs a RaftCore: persist, then send, then apply, then advance. Time is tick() calls only,
 * so the simulator drives it deterministically. Requests resolve with the state machine's
 * result or reject with a JadfsError (NOT_LEADER, PROPOSAL_DROPPED, TIMEOUT, REMOVED_FROM_CLUSTER,
 * INVALID_ARGUMENT for an entry over maxEntryBytes).
 */
export interface RaftDriver {
  tick (): void
  receive (message: Message): void
  propose (payload: Uint8Array): Promise<unknown>
  proposeConfChange (change: ConfChange): Promise<ConfState>
  /** linearizable read barrier (ReadIndex): resolves once this node applied at least the read index */
  readBarrier (): Promise<void>
  transferLeadership (to: NodeId): void
  /** the transport failed to deliver to `to`: the leader goes back to probing it */
  reportUnreachable (to: NodeId): void
  status (): RaftStatus
  stop (): void
}
