// Raft data types shared by the pure core, storages, the driver, the transport and the
// simulator. Modelled on etcd-io/raft's raftpb. Node ids are strings (libp2p peer ids in a
// cluster, "n1".."n5" in the simulator). Indexes and terms are plain numbers (safe up to 2^53).

export type NodeId = string

export type EntryType = 'normal' | 'confChange'

export interface Entry {
  readonly term: number
  readonly index: number
  readonly type: EntryType
  /** opaque to Raft; empty for the leader's no-op entry. confChange entries hold an encoded ConfChange */
  readonly data: Uint8Array
}

export interface HardState {
  readonly term: number
  /** who this node voted for in `term`, '' for nobody */
  readonly vote: NodeId
  readonly commit: number
}

export interface ConfState {
  readonly voters: readonly NodeId[]
  readonly learners: readonly NodeId[]
}

export interface SnapshotMetadata {
  readonly index: number
  readonly term: number
  readonly confState: ConfState
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata
  /** the application state machine's serialised state at metadata.index */
  readonly data: Uint8Array
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'removeNode'

export interface ConfChange {
  readonly type: ConfChangeType
  readonly nodeId: NodeId
  /** opaque application context (e.g. the peer's multiaddrs) */
  readonly context?: Uint8Array
}

export type MessageType =
  | 'MsgHup' // local: start an election
  | 'MsgBeat' // local: leader sends heartbeats
  | 'MsgProp' // proposal (local, or forwarded to the leader)
  | 'MsgApp' | 'MsgAppResp'
  | 'MsgVote' | 'MsgVoteResp'
  | 'MsgPreVote' | 'MsgPreVoteResp'
  | 'MsgSnap' | 'MsgSnapStatus' | 'MsgUnreachable'
  | 'MsgHeartbeat' | 'MsgHeartbeatResp'
  | 'MsgCheckQuorum'
  | 'MsgTransferLeader' | 'MsgTimeoutNow'
  | 'MsgReadIndex' | 'MsgReadIndexResp'

/** one message between peers; unused fields are 0 / '' / [] / false */
export interface Message {
  readonly type: MessageType
  readonly from: NodeId
  readonly to: NodeId
  readonly term: number
  /** term of the entry at `index` (MsgApp: the entry preceding `entries`) */
  readonly logTerm: number
  readonly index: number
  readonly entries: readonly Entry[]
  readonly commit: number
  readonly reject: boolean
  readonly rejectHint: number
  readonly snapshot?: Snapshot
  /** ReadIndex request context, heartbeat context */
  readonly context?: Uint8Array
}

export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader'

export interface SoftState {
  readonly leader: NodeId
  readonly role: RaftRole
}

export interface ReadState {
  readonly index: number
  readonly requestCtx: Uint8Array
}

/**
 * What the core asks its driver to do. The contract (etcd's): persist `hardState`,
 * `entries` and `snapshot` durably; only then send `messages`; then apply `snapshot`
 * and `committedEntries` to the state machine; then call `advance()`.
 */
export interface Ready {
  readonly softState?: SoftState
  readonly hardState?: HardState
  readonly entries: readonly Entry[]
  readonly snapshot?: Snapshot
  readonly committedEntries: readonly Entry[]
  readonly messages: readonly Message[]
  readonly readStates: readonly ReadState[]
  /** true when hardState or entries must be fsynced before messages are sent */
  readonly mustSync: boolean
}
