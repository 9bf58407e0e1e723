// File path rules. Paths are compared byte for byte (no Unicode normalisation, no case
// folding), like POSIX names. '//' is rejected rather than collapsed: silently rewriting a
// path would let two spellings name one file and surprise clients that compare paths.
import { JadfsError } from '../errors.js'

export const MAX_PATH_BYTES = 4096
export const MAX_SEGMENT_BYTES = 255

// eslint-disable-next-line no-control-regex
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/
const LONE_SURROGATE = /\p{Cs}/u

/** returns the path unchanged if it is a valid file path, else throws INVALID_PATH naming the problem */
export function normalisePath (path: unknown): string {
  if (typeof path !== 'string') throw invalid(path, 'a path must be a string')
  checkCharacters(path)
  if (!path.startsWith('/')) throw invalid(path, "a path must start with '/'")
  if (path === '/') throw invalid(path, "'/' is the root, not a file")
  if (path.endsWith('/')) throw invalid(path, "a file path must not end with '/'")
  const segments = path.slice(1).split('/')
  for (const segment of segments) {
    if (segment === '') throw invalid(path, "empty segment ('//') is not allowed")
    if (segment === '.' || segment === '..') throw invalid(path, `'${segment}' segments are not allowed`)
    const segmentBytes = Buffer.byteLength(segment, 'utf8')
    if (segmentBytes > MAX_SEGMENT_BYTES) {
      throw invalid(path, `a segment is ${segmentBytes} bytes of UTF-8; at most ${MAX_SEGMENT_BYTES} are allowed`)
    }
  }
  return path
}

/**
 * A listing prefix: '/' or more, may end in '/' or mid-segment ("/photos/2024-"); the same
 * character and length rules as paths. Absent or empty means everything.
 */
export function normalisePrefix (prefix: unknown): string {
  if (prefix === undefined || prefix === '') return '/'
  if (typeof prefix !== 'string') throw invalid(prefix, 'a prefix must be a string')
  checkCharacters(prefix)
  if (!prefix.startsWith('/')) throw invalid(prefix, "a prefix must start with '/'")
  return prefix
}

function checkCharacters (path: string): void {
  if (path.length === 0) throw invalid(path, 'the path is empty')
  if (path.includes('\u0000')) throw invalid(path, 'NUL characters are not allowed')
  const control = CONTROL_CHAR.exec(path)
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0')
    throw invalid(path, `control character U+${code.toUpperCase()} is not allowed`)
  }
  if (path.includes('\\')) throw invalid(path, 'backslashes are not allowed')
  if (LONE_SURROGATE.test(path)) throw invalid(path, 'the path is not valid Unicode (lone surrogate)')
  const totalBytes = Buffer.byteLength(path, 'utf8')
  if (totalBytes > MAX_PATH_BYTES) throw invalid(path, `the path is ${totalBytes} bytes of UTF-8; at most ${MAX_PATH_BYTES} are allowed`)
}

function invalid (path: unknown, why: string): JadfsError {
  const shown = typeof path === 'string' ? JSON.stringify(path.length > 120 ? `${path.slice(0, 120)}...` : path) : typeof path
  return new JadfsError('INVALID_PATH', `invalid path ${shown}: ${why}`)
}
