// Listing pages: a limit with bounds, and an opaque cursor (the last path of the previous
// page, base64url) so clients cannot depend on its shape.
import { JadfsError } from '../errors.js'

export const DEFAULT_LIST_LIMIT = 100
export const MAX_LIST_LIMIT = 1000

export function resolveLimit (limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new JadfsError('INVALID_ARGUMENT', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`)
  }
  return limit
}

export function encodeCursor (lastPath: string): string {
  return Buffer.from(lastPath, 'utf8').toString('base64url')
}

export function decodeCursor (cursor: string): string {
  const path = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : ''
  if (!path.startsWith('/') || encodeCursor(path) !== cursor) {
    throw new JadfsError('INVALID_ARGUMENT', 'cursor is not one this server returned')
  }
  return path
}
