// One error shape for every failure the API reports: {"error":{"code","message","details"?}} with the
// status the registry gives the code. Fastify's own errors (bad headers, body too large,
// unknown route) are translated into registry codes; anything unexpected becomes INTERNAL
// without its message or stack, which go to the log instead.
import { ERROR_CODES, JadfsError, isJadfsError, type ErrorCode } from '../errors.js'

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode, readonly message: string, readonly details?: Record<string, unknown> }
}

export interface MappedError {
  readonly status: number
  readonly body: ErrorBody
  /** true when the error is a bug or an unknown failure worth logging at error level */
  readonly unexpected: boolean
}

interface FastifyLikeError {
  readonly code?: unknown
  readonly statusCode?: unknown
  readonly message?: unknown
}

export function mapError (err: unknown): MappedError {
  // details are part of the answer: NOT_LEADER names the leader the client should ask
  if (isJadfsError(err)) return fromCode(err.code, err.message, false, err.details)
  const fe = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : undefined
  const message = typeof fe.message === 'string' ? fe.message : 'request failed'
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return fromCode('PAYLOAD_TOO_LARGE', message, false)
  if (status === 404) return fromCode('ROUTE_NOT_FOUND', message, false)
  if (status !== undefined && status >= 400 && status < 500) {
    // Client mistakes Fastify detects itself (malformed headers, bad JSON, bad content type):
    // keep its status, report them as an invalid argument.
    return { status, body: { error: { code: 'INVALID_ARGUMENT', message } }, unexpected: false }
  }
  return fromCode('INTERNAL', 'internal error; see the daemon log', true)
}

function fromCode (code: ErrorCode, message: string, unexpected: boolean, details?: Record<string, unknown>): MappedError {
  const error = details === undefined ? { code, message } : { code, message, details }
  return { status: ERROR_CODES[code].httpStatus, body: { error }, unexpected }
}

export function invalidArgument (message: string): JadfsError {
  return new JadfsError('INVALID_ARGUMENT', message)
}
