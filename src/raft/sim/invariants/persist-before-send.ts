// The driver contract (etcd's Ready): persist, then send. A message that promises something
// about durable state must find that state durable at the moment it leaves: a granted vote
// needs the vote on disk (else a crash lets the node vote twice), an append acknowledgement
// needs the entries on disk (else a crash loses a write the leader counted), and no message
// may carry a term the sender has not made durable. Pre-vote messages carry a future term by
// design and promise nothing, so they are exempt.

import type { HardState, Message } from '../../types.js'
import { violation } from './violation.js'

export interface DurableView {
  hardState (): HardState
  /** last durable index, counting a snapshot */
  lastIndex (): number
}

const LOCAL_OR_PREVOTE = new Set(['MsgHup', 'MsgBeat', 'MsgProp', 'MsgPreVote', 'MsgPreVoteResp', 'MsgSnapStatus', 'MsgUnreachable', 'MsgCheckQuorum'])

export function checkPersistedBeforeSend (m: Message, durable: DurableView): void {
  if (LOCAL_OR_PREVOTE.has(m.type)) return
  const hs = durable.hardState()
  if (m.term > hs.term) {
    violation('persist-before-send', `${m.from} sent ${m.type} with term ${m.term} while its durable term is ${hs.term}`, { type: m.type })
  }
  if (m.type === 'MsgVoteResp' && !m.reject && !(hs.term > m.term || (hs.term === m.term && hs.vote === m.to))) {
    violation('persist-before-send', `${m.from} granted its vote to ${m.to} in term ${m.term} but its durable vote is '${hs.vote}' in term ${hs.term}`, { type: m.type })
  }
  if (m.type === 'MsgAppResp' && !m.reject && m.index > durable.lastIndex()) {
    violation('persist-before-send', `${m.from} acknowledged entries up to ${m.index} to ${m.to} but has only ${durable.lastIndex()} durable`, { type: m.type })
  }
}
