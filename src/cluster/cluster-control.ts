// What the HTTP API needs from the cluster: who this peer is, the cluster as this peer sees
// it, and hand-made voter changes (leader only).
export interface PeerView {
  readonly peerId: string
  readonly state: 'alive' | 'suspect' | 'dead' | 'self'
  readonly apiUrl: string | null
  readonly role: string
  readonly term: number
  readonly freeBytes: number
  readonly usedBytes: number
  readonly chunks: number
  readonly version: string
  readonly lastSeenMsAgo: number | null
  readonly member: 'voter' | 'learner' | 'none'
}

export interface ClusterView {
  readonly peerId: string
  readonly leader: string | null
  readonly term: number
  readonly role: string
  readonly commitIndex: number
  readonly appliedIndex: number
  readonly targetVoters: number
  readonly voters: readonly string[]
  readonly learners: readonly string[]
  readonly peers: readonly PeerView[]
  readonly replication: { readonly queuedChunks: number, readonly missingCopies: number }
}

export interface MembersView {
  readonly voters: readonly string[]
  readonly learners: readonly string[]
}

export interface ClusterControl {
  id: () => { peerId: string, addrs: string[] }
  view: () => ClusterView
  addVoter: (peerId: string) => Promise<MembersView>
  removeVoter: (peerId: string) => Promise<MembersView>
}
