// The JSON shapes of the cluster routes (GET /v1/id, GET /v1/cluster and the voter routes) as
// clients read them: the CLI, the local cluster harness and the tests' fake servers.

export interface PeerIdView {
  readonly peerId: string
  /** multiaddrs ending in /p2p/<peerId> */
  readonly addrs: readonly string[]
}

export type PeerState = 'alive' | 'suspect' | 'dead' | 'self'
export type MemberKind = 'voter' | 'learner' | 'none'

export interface ClusterPeerView {
  readonly peerId: string
  readonly state: PeerState
  readonly apiUrl: string | null
  readonly role: string
  readonly term: number
  /** disk space free for chunks: above the peer's --reserve */
  readonly freeBytes: number
  readonly usedBytes: number
  readonly chunks: number
  readonly version: string
  /** null for this node itself and for peers never heard from */
  readonly lastSeenMsAgo: number | null
  readonly member: MemberKind
}

export interface ClusterView {
  /** the peer that answered */
  readonly peerId: string
  readonly leader: string | null
  readonly term: number
  /** 'none': started with --join and not yet added by the leader */
  readonly role: 'leader' | 'follower' | 'candidate' | 'learner' | 'none'
  readonly commitIndex: number
  readonly appliedIndex: number
  readonly targetVoters: number
  readonly voters: readonly string[]
  readonly learners: readonly string[]
  /** every peer this node knows of, itself included (state 'self') */
  readonly peers: readonly ClusterPeerView[]
  readonly replication: { readonly queuedChunks: number, readonly missingCopies: number }
}

/** the answer of POST /v1/cluster/voters and DELETE /v1/cluster/voters/<peerId> */
export interface MembershipView {
  readonly voters: readonly string[]
  readonly learners: readonly string[]
}
