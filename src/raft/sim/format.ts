// One line per message, in the shape etcd's scripted tests print them, so a trace reads like a
// conversation: `n1->n2 MsgApp t3 lt2 i5 c4 e[6..7@3]`. Only the fields a message type uses.

import type { Entry, Message } from '../types.js'

export function formatMessage (m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} t${m.term}`]
  if (m.logTerm !== 0 || m.type === 'MsgApp' || m.type === 'MsgVote' || m.type === 'MsgPreVote') parts.push(`lt${m.logTerm}`)
  if (m.index !== 0 || m.type === 'MsgApp' || m.type === 'MsgAppResp') parts.push(`i${m.index}`)
  if (m.commit !== 0) parts.push(`c${m.commit}`)
  if (m.entries.length > 0) parts.push(formatEntries(m.entries))
  if (m.reject) parts.push(`rej(hint ${m.rejectHint})`)
  if (m.snapshot !== undefined) {
    const md = m.snapshot.metadata
    parts.push(`snap[i${md.index} t${md.term} v=${md.confState.voters.join(',')} l=${md.confState.learners.join(',')}]`)
  }
  return parts.join(' ')
}

export function formatEntries (entries: readonly Entry[]): string {
  const first = entries[0]
  const last = entries[entries.length - 1]
  if (first === undefined || last === undefined) return 'e[]'
  const terms = first.term === last.term ? `@${first.term}` : `@${first.term}..${last.term}`
  const conf = entries.some(e => e.type === 'confChange') ? ' conf' : ''
  return first.index === last.index ? `e[${first.index}${terms}${conf}]` : `e[${first.index}..${last.index}${terms}${conf}]`
}
