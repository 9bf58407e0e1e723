// Messages a (pre-)candidate handles: vote responses (§5.2, thesis §9.6), and any sign of a
// leader of our term, which ends the election.

import type { Message } from '../types.js'
import { NO_LEADER_REASON } from './constants.js'
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from './follower-handlers.js'
import type { Raft } from './raft.js'
import { bcastAppend } from './replication.js'

export function stepCandidate (r: Raft, m: Message): string | undefined {
  // a pre-candidate only counts pre-vote responses, a candidate only vote responses
  const myVoteResp = r.role === 'preCandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp'
  switch (m.type) {
    case 'MsgProp':
    case 'MsgReadIndex':
    case 'MsgTransferLeader':
      return NO_LEADER_REASON
    case 'MsgApp':
      r.becomeFollower(m.term, m.from) // §5.2: a leader of our term exists
      handleAppendEntries(r, m)
      return undefined
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from)
      handleHeartbeat(r, m)
      return undefined
    case 'MsgSnap':
      r.becomeFollower(m.term, m.from)
      handleSnapshot(r, m)
      return undefined
    case 'MsgPreVoteResp':
    case 'MsgVoteResp': {
      if (m.type !== myVoteResp) return undefined
      const result = r.poll(m.from, !m.reject)
      if (result === 'won') {
        if (r.role === 'preCandidate') {
          r.campaign('election')
        } else {
          r.becomeLeader()
          bcastAppend(r)
        }
      } else if (result === 'lost') {
        // a rejected pre-vote carries our own (or a higher, already handled) term
        r.becomeFollower(r.term, '')
      }
      return undefined
    }
    default:
      return undefined
  }
}
