// Building messages: the wire type has every field required (so the codec is simple), and these
// functions fill the unused ones with their zero values.

import type { Message, MessageType } from '../types.js'

export type MessageInit = Partial<Message> & Pick<Message, 'type'>

export function makeMessage (init: MessageInit): Message {
  return {
    from: '',
    to: '',
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...init
  }
}

/** messages that only ever come from the local node (never on the wire) */
export function isLocalMessage (type: MessageType): boolean {
  return type === 'MsgHup' || type === 'MsgBeat' || type === 'MsgCheckQuorum' ||
    type === 'MsgUnreachable' || type === 'MsgSnapStatus'
}

export function voteResponseType (type: MessageType): MessageType {
  return type === 'MsgPreVote' ? 'MsgPreVoteResp' : 'MsgVoteResp'
}

export function bytesEqual (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** a stable map key for a request context */
export function contextKey (ctx: Uint8Array | undefined): string {
  if (ctx === undefined) return ''
  let s = ''
  for (const b of ctx) s += b.toString(16).padStart(2, '0')
  return s
}
