// The cluster as one peer sees it (GET /v1/cluster) and the role a peer reports in its
// heartbeats: both derived from the Raft status, the peer table and this peer's own figures.
import type { ClusterPeerView, ClusterView } from '../api/cluster-view.js'
import type { NodeStatus } from '../files/file-service.js'
import { RaftRole } from '../p2p/gossip/heartbeat.js'
import type { PeerMonitor } from '../p2p/gossip/peer-monitor.js'
import type { ConfState } from '../raft/types.js'
import type { RaftNamespaceLog } from './raft-namespace-log.js'
import type { ReplicationQueue } from './replication/replication-queue.js'

export function heartbeatRole (role: string, conf: ConfState, selfId: string): RaftRole {
  if (conf.learners.includes(selfId)) return RaftRole.RAFT_ROLE_LEARNER
  if (!conf.voters.includes(selfId)) return RaftRole.RAFT_ROLE_UNKNOWN
  if (role === 'leader') return RaftRole.RAFT_ROLE_LEADER
  if (role === 'candidate' || role === 'preCandidate') return RaftRole.RAFT_ROLE_CANDIDATE
  return RaftRole.RAFT_ROLE_FOLLOWER
}

const ROLE_NAMES: Record<RaftRole, ClusterView['role']> = {
  [RaftRole.RAFT_ROLE_UNKNOWN]: 'none',
  [RaftRole.RAFT_ROLE_FOLLOWER]: 'follower',
  [RaftRole.RAFT_ROLE_CANDIDATE]: 'candidate',
  [RaftRole.RAFT_ROLE_LEADER]: 'leader',
  [RaftRole.RAFT_ROLE_LEARNER]: 'learner'
}

/** free bytes above the reserve: what a peer reports as free, and placement weighs */
export function roomForChunks (status: NodeStatus | undefined, reservedFreeBytes: number): number {
  return Math.max(0, (status?.diskFreeBytes ?? 0) - reservedFreeBytes)
}

/** selfFreeBytes: this peer's room for chunks, as its heartbeats report it */
export function clusterView (selfId: string, raft: RaftNamespaceLog, monitor: PeerMonitor, self: NodeStatus | undefined, apiUrl: string, version: string, targetVoters: number, queue: ReplicationQueue, selfFreeBytes: number): ClusterView {
  const st = raft.status()
  const { voters, learners } = st.confState
  const member = (peerId: string): ClusterPeerView['member'] => voters.includes(peerId) ? 'voter' : learners.includes(peerId) ? 'learner' : 'none'
  const now = Date.now()
  const selfRole = ROLE_NAMES[heartbeatRole(st.role, st.confState, selfId)]
  const peers: ClusterPeerView[] = [{
    peerId: selfId,
    state: 'self',
    apiUrl: apiUrl === '' ? null : apiUrl,
    role: selfRole,
    term: st.term,
    freeBytes: selfFreeBytes,
    usedBytes: self?.physicalBytes ?? 0,
    chunks: self?.chunks ?? 0,
    version,
    lastSeenMsAgo: null,
    member: member(selfId)
  }]
  for (const p of monitor.table.list()) {
    if (p.peerId === selfId) continue
    const hb = p.heartbeat
    peers.push({
      peerId: p.peerId,
      state: p.state,
      apiUrl: hb.apiAddress === '' ? null : hb.apiAddress,
      role: ROLE_NAMES[hb.raftRole],
      term: hb.raftTerm,
      freeBytes: hb.freeBytes,
      usedBytes: hb.usedBytes,
      chunks: hb.chunkCount,
      version: hb.version,
      lastSeenMsAgo: now - p.lastSeenMs,
      member: member(p.peerId)
    })
  }
  const debt = queue.totals()
  return {
    peerId: selfId,
    leader: st.leader === '' ? null : st.leader,
    term: st.term,
    role: selfRole,
    commitIndex: st.commit,
    appliedIndex: st.applied,
    targetVoters,
    voters: [...voters],
    learners: [...learners],
    peers,
    replication: { queuedChunks: debt.entries, missingCopies: debt.missingCopies }
  }
}
