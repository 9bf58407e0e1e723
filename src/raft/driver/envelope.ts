// The driver's wrapping of a proposal: a request id in front of the application payload, so the
// node that proposed an entry recognises it when it applies it (the log index is not known at
// propose time, and a forwarded proposal may land anywhere). Format:
//
//   0xA7 | id length (u16, big-endian) | id (UTF-8) | payload
//
// Every replica strips the id before StateMachine.apply sees the payload. Conf changes carry the
// same envelope in ConfChange.context (the application's own context follows as the payload).
//
// A proposal's id ends with `@` and its proposedAt (proposal-window.ts), which makes it a
// ProposalTag. It rides in the id, not in a field of its own, so that a build from before
// tags reads these entries exactly as before (it only does not skip re-sent copies).

import { assert } from '../../util/assert.js'
import { isTagId, type ProposalTag } from '../proposal-window.js'
import { MAX_REQUEST_ID_BYTES } from './constants.js'

const MARKER = 0xa7
const HEADER_BYTES = 3
/** what wrapping adds to a payload, at most (an entry over maxEntryBytes is refused) */
export const MAX_ENVELOPE_BYTES = HEADER_BYTES + MAX_REQUEST_ID_BYTES

export interface Unwrapped {
  /** undefined if the bytes were not wrapped by a driver */
  readonly id: string | undefined
  readonly payload: Uint8Array
}

export function wrapPayload (id: string, payload: Uint8Array): Uint8Array {
  const idBytes = new TextEncoder().encode(id)
  assert(idBytes.byteLength > 0 && idBytes.byteLength <= MAX_REQUEST_ID_BYTES, 'request id length out of range', { id })
  const out = new Uint8Array(HEADER_BYTES + idBytes.byteLength + payload.byteLength)
  out[0] = MARKER
  out[1] = idBytes.byteLength >>> 8
  out[2] = idBytes.byteLength & 0xff
  out.set(idBytes, HEADER_BYTES)
  out.set(payload, HEADER_BYTES + idBytes.byteLength)
  return out
}

export function unwrapPayload (data: Uint8Array): Unwrapped {
  if (data.byteLength < HEADER_BYTES || data[0] !== MARKER) return { id: undefined, payload: data }
  const idLength = (data[1]! << 8) | data[2]!
  if (idLength === 0 || HEADER_BYTES + idLength > data.byteLength) return { id: undefined, payload: data }
  const id = new TextDecoder().decode(data.subarray(HEADER_BYTES, HEADER_BYTES + idLength))
  return { id, payload: data.subarray(HEADER_BYTES + idLength) }
}

/** a proposal's id: the request id and the applied index it was proposed at */
export function proposalId (requestId: string, proposedAt: number): string {
  const id = `${requestId}@${proposedAt}`
  assert(!requestId.includes('@') && Number.isSafeInteger(proposedAt) && proposedAt >= 0 && isTagId(id), 'a proposal id is a short printable request id without @, then @ and an applied index', { requestId, proposedAt })
  return id
}

/** the tag a proposal id carries, or undefined for ids without one (conf changes, older builds) */
export function proposalTag (id: string): ProposalTag | undefined {
  if (!isTagId(id)) return undefined
  const at = id.lastIndexOf('@')
  if (at < 0) return undefined
  const digits = id.slice(at + 1)
  if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return undefined
  const proposedAt = Number(digits)
  return Number.isSafeInteger(proposedAt) ? { id, proposedAt } : undefined
}
