// When a started cluster counts as formed: a leader is known and every started node is a member
// (the first min(voters, nodes) as voters, the rest as learners). A pure function of one node's
// view, so the start condition and its failure message are tested without processes.
import type { ClusterView } from '../api/cluster-view.js'

export interface FormationGap {
  /** peer ids (of the started nodes) that are not members yet */
  readonly missing: readonly string[]
  readonly reason: string
}

export function expectedVoterCount (voters: number, nodes: number): number {
  return Math.min(voters, nodes)
}

/** undefined once formed; otherwise what is still missing */
export function formationGap (view: ClusterView, peerIds: readonly string[], expectedVoters: number): FormationGap | undefined {
  const members = new Set([...view.voters, ...view.learners])
  const missing = peerIds.filter((p) => !members.has(p))
  const reasons: string[] = []
  if (view.leader === null) reasons.push('no leader elected')
  if (missing.length > 0) reasons.push(`${missing.length} node(s) not members yet`)
  if (view.voters.length !== expectedVoters) reasons.push(`${view.voters.length} voter(s), expected ${expectedVoters}`)
  return reasons.length === 0 ? undefined : { missing, reason: reasons.join('; ') }
}

/** one line about a view, for timeout messages */
export function summarizeView (view: ClusterView): string {
  return `leader ${view.leader ?? 'none'}, term ${view.term}, voters [${view.voters.join(' ')}], learners [${view.learners.join(' ')}]`
}
