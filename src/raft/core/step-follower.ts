// Messages a follower handles. Proposals, reads and transfer requests are forwarded to the
// leader we know of (§8: clients may talk to any server); without one they are dropped.

import type { Message } from '../types.js'
import { NO_LEADER, NO_LEADER_REASON } from './constants.js'
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from './follower-handlers.js'
import type { Raft } from './raft.js'

export function stepFollower (r: Raft, m: Message): string | undefined {
  switch (m.type) {
    case 'MsgProp':
    case 'MsgReadIndex':
    case 'MsgTransferLeader':
      if (r.lead === NO_LEADER) return NO_LEADER_REASON
      r.send({ ...m, to: r.lead, term: 0 })
      return undefined
    case 'MsgApp':
      r.electionElapsed = 0
      r.lead = m.from
      handleAppendEntries(r, m)
      return undefined
    case 'MsgHeartbeat':
      r.electionElapsed = 0
      r.lead = m.from
      handleHeartbeat(r, m)
      return undefined
    case 'MsgSnap':
      r.electionElapsed = 0
      r.lead = m.from
      handleSnapshot(r, m)
      return undefined
    case 'MsgTimeoutNow':
      // thesis §3.10: the leader asks us to start an election now, skipping pre-vote
      r.hup('transfer')
      return undefined
    case 'MsgReadIndexResp':
      r.readStates.push({ index: m.index, requestCtx: m.context ?? new Uint8Array(0) })
      return undefined
    default:
      return undefined
  }
}
