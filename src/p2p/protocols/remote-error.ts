// Operating errors carried inside a protocol's response, so a requester learns the stable
// code (CHUNK_NOT_FOUND, STORAGE_IO, ...) instead of a bare stream reset. Codes from a
// peer are checked against our registry and messages are bounded: it is untrusted input.
import { ERROR_CODES, JadfsError } from '../../errors.js'
import type { ErrorCode } from '../../errors.js'

export const MAX_REMOTE_ERROR_MESSAGE_CHARS = 512

export interface WireError {
  readonly code: string
  readonly message: string
}

export function toWireError (err: JadfsError): WireError {
  return { code: err.code, message: err.message.slice(0, MAX_REMOTE_ERROR_MESSAGE_CHARS) }
}

/** The error a peer reported, or a PROTOCOL_ERROR if what it sent is not a known code. */
export function fromWireError (wire: WireError, context: string): JadfsError {
  const message = wire.message.slice(0, MAX_REMOTE_ERROR_MESSAGE_CHARS)
  if (!Object.hasOwn(ERROR_CODES, wire.code)) {
    return new JadfsError('PROTOCOL_ERROR', `${context}: the peer answered with an unknown error code ${JSON.stringify(wire.code.slice(0, 64))}`)
  }
  return new JadfsError(wire.code as ErrorCode, `${context}: the peer answered ${wire.code}: ${message}`, { details: { remote: true } })
}
