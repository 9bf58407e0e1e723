// Turns fetch's low-level failures into one clear operating error naming the daemon's URL.
import { JadfsError, isJadfsError } from '../errors.js'

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_HEADERS_TIMEOUT: 'no response',
  UND_ERR_BODY_TIMEOUT: 'response stalled'
}

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

export function networkError (err: unknown, baseUrl: string, signal: AbortSignal): JadfsError {
  if (signal.aborted && isJadfsError(signal.reason)) return signal.reason
  if (isJadfsError(err)) return err
  const code = findCode(err)
  if (code !== undefined && NEVER_CONNECTED.has(code)) {
    return new JadfsError('DAEMON_UNREACHABLE', `cannot reach the JaDFS daemon at ${baseUrl}: ${REASONS[code] ?? code} — is \`jadfs daemon\` running?`, { cause: err })
  }
  const reason = code === undefined ? describe(err) : REASONS[code] ?? code
  return new JadfsError('DAEMON_UNREACHABLE', `lost the connection to the JaDFS daemon at ${baseUrl}: ${reason}`, { cause: err })
}

function findCode (err: unknown): string | undefined {
  // undici wraps the system error: TypeError('fetch failed', { cause: { code } }), sometimes twice.
  let current: unknown = err
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function describe (err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause
  if (typeof cause?.message === 'string') return cause.message
  return err instanceof Error ? err.message : String(err)
}
