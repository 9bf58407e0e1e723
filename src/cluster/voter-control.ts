// Voter changes made by hand (`jadfs voters add|remove`, POST/DELETE /v1/cluster/voters).
// Only the leader proposes them, so a follower answers NOT_LEADER naming the leader and its
// API address for the client to retry there. Each refusal is an INVALID_ARGUMENT that says
// what to do instead; everything else is one single-server change through the Raft log.
import { peerIdFromString } from '@libp2p/peer-id'
import type { MembershipView } from '../api/cluster-view.js'
import { JadfsError } from '../errors.js'
import type { ConfChange, ConfState } from '../raft/types.js'

export interface VoterControlComponents {
  readonly selfId: string
  status: () => { readonly role: string, readonly leader: string, readonly confState: ConfState }
  changeMembership: (change: ConfChange) => Promise<ConfState>
  /** the API address the peer announced in its heartbeats, if known */
  apiUrlOf: (peerId: string) => string | null
  /** the membership manager must not add back a peer removed by hand */
  noteRemovedByHand: (peerId: string) => void
}

export interface VoterControl {
  addVoter: (peerId: string) => Promise<MembershipView>
  removeVoter: (peerId: string) => Promise<MembershipView>
}

export function createVoterControl (c: VoterControlComponents): VoterControl {
  const requireLeader = (): void => {
    const st = c.status()
    if (st.role === 'leader') return
    const leader = st.leader === '' ? null : st.leader
    const leaderApi = leader === null ? null : c.apiUrlOf(leader)
    const where = leader === null ? 'no leader is known right now' : `ask the leader ${leader}${leaderApi === null ? '' : ` at ${leaderApi}`}`
    throw new JadfsError('NOT_LEADER', `this peer is not the leader; ${where}`, { details: { leaderPeerId: leader, leaderApiUrl: leaderApi } })
  }
  return {
    addVoter: async (peerId) => {
      checkPeerId(peerId)
      requireLeader()
      const conf = c.status().confState
      if (conf.voters.includes(peerId)) return members(conf)
      if (!conf.learners.includes(peerId)) {
        throw new JadfsError('INVALID_ARGUMENT', `${peerId} is not a member of this cluster; start it with --join and it is added as a learner first`)
      }
      return members(await c.changeMembership({ type: 'addVoter', nodeId: peerId }))
    },
    removeVoter: async (peerId) => {
      checkPeerId(peerId)
      requireLeader()
      const conf = c.status().confState
      if (!conf.voters.includes(peerId) && !conf.learners.includes(peerId)) throw new JadfsError('INVALID_ARGUMENT', `${peerId} is not a member of this cluster`)
      // The leader is a voter, so this refusal also keeps the last voter in place.
      if (peerId === c.selfId) throw new JadfsError('INVALID_ARGUMENT', `${peerId} is the leader itself; stop it (another voter takes over), then remove it from the new leader`)
      c.noteRemovedByHand(peerId)
      return members(await c.changeMembership({ type: 'removeNode', nodeId: peerId }))
    }
  }
}

function members (conf: ConfState): MembershipView {
  return { voters: [...conf.voters], learners: [...conf.learners] }
}

function checkPeerId (peerId: string): void {
  try {
    peerIdFromString(peerId)
  } catch {
    throw new JadfsError('INVALID_ARGUMENT', `${JSON.stringify(peerId)} is not a peer id (they look like 12D3KooW...)`)
  }
}
