// Human output for the cluster views (GET /v1/cluster and the voter routes): the member list of
// `jadfs voters` and the cluster section and peer table of `jadfs status`. Pure functions of the
// view, so the exact text is tested without a daemon.
import type { ClusterPeerView, ClusterView, MembershipView } from '../api/cluster-view.js'
import { formatBytes } from '../config/parse-size.js'
import { formatTable } from './output.js'
import { shortPeerId } from './peer-id-arg.js'

/** a peer's liveness as the answering node sees it ('self' is the answering node: alive) */
export function peerLiveness (view: ClusterView, peerId: string): string {
  const peer = view.peers.find((p) => p.peerId === peerId)
  if (peer === undefined) return 'unknown'
  return peer.state === 'self' ? 'alive' : peer.state
}

export interface MemberLine {
  readonly peerId: string
  readonly member: 'voter' | 'learner'
  readonly state: string
  readonly leader: boolean
}

export function memberLines (view: ClusterView): MemberLine[] {
  const line = (peerId: string, member: 'voter' | 'learner'): MemberLine => ({ peerId, member, state: peerLiveness(view, peerId), leader: peerId === view.leader })
  return [...view.voters.map((p) => line(p, 'voter')), ...view.learners.map((p) => line(p, 'learner'))]
}

/** jadfs voters: leader and term, then one line per member, marked leader / alive / suspect / dead */
export function describeVoters (view: ClusterView): string[] {
  const head = formatTable([
    ['leader', view.leader ?? 'none (no leader elected yet)'],
    ['term', String(view.term)],
    ['voters', `${view.voters.length} (target ${view.targetVoters})`],
    ['learners', String(view.learners.length)]
  ])
  const rows = memberLines(view).map((m) => {
    const marks = [m.state]
    if (m.leader) marks.push('leader')
    if (m.peerId === view.peerId) marks.push('answered this request')
    return [m.member, m.peerId, marks.join(', ')]
  })
  return [...head, '', ...formatTable([['MEMBER', 'PEER', 'STATE'], ...rows])]
}

/** the set after a membership change */
export function describeMembership (membership: MembershipView): string[] {
  return formatTable([
    ...membership.voters.map((p) => ['voter', p]),
    ...membership.learners.map((p) => ['learner', p])
  ])
}

/** rows for the key/value table of jadfs status */
export function clusterStatusRows (view: ClusterView): string[][] {
  const self = view.voters.includes(view.peerId) ? 'voter' : view.learners.includes(view.peerId) ? 'learner' : 'not a member'
  const ids = (list: readonly string[]): string => list.length === 0 ? '' : `: ${list.map((p) => shortPeerId(p)).join(' ')}`
  return [
    ['leader', view.leader === null ? 'none (no leader elected yet)' : `${view.leader} (term ${view.term})`],
    ['this peer', `${view.peerId} (${view.role}, ${self})`],
    ['voters', `${view.voters.length} of target ${view.targetVoters}${ids(view.voters)}`],
    ['learners', `${view.learners.length}${ids(view.learners)}`],
    ['commit index', `${view.commitIndex} (applied ${view.appliedIndex})`],
    ['replication', `${view.replication.queuedChunks} chunk(s) queued, ${view.replication.missingCopies} missing cop${view.replication.missingCopies === 1 ? 'y' : 'ies'}`]
  ]
}

const MEMBER_ORDER: Readonly<Record<string, number>> = { voter: 0, learner: 1, none: 2 }

/** one line per known peer: voters, then learners, then others, each by peer id */
export function peerTable (view: ClusterView): string[] {
  const peers = [...view.peers].sort((a, b) => (MEMBER_ORDER[a.member] ?? 3) - (MEMBER_ORDER[b.member] ?? 3) || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
  const rows = peers.map((p: ClusterPeerView) => [
    shortPeerId(p.peerId),
    p.state,
    p.role,
    p.member,
    p.apiUrl ?? '-',
    formatBytes(p.freeBytes),
    formatBytes(p.usedBytes),
    String(p.chunks),
    formatAgo(p.lastSeenMsAgo)
  ])
  return formatTable([['PEER', 'STATE', 'ROLE', 'MEMBER', 'API', 'FREE', 'USED', 'CHUNKS', 'LAST SEEN'], ...rows], new Set([5, 6, 7]))
}

export function formatAgo (ms: number | null): string {
  if (ms === null) return '-'
  if (ms < 1000) return `${Math.round(ms)} ms ago`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s ago`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`
  return `${Math.round(ms / 3_600_000)} h ago`
}
