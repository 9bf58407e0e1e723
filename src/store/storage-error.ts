// Maps file-system failures to the registry: a full disk is something an operator can act on
// (NO_SPACE), everything else is STORAGE_IO. Errors already classified pass through untouched.
import { JadfsError, isJadfsError } from '../errors.js'
import { AssertionFailure } from '../util/assert.js'

const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])

export function toStorageError (err: unknown, doing: string): JadfsError {
  if (isJadfsError(err)) return err
  // a broken invariant is a bug, not an I/O condition: let it crash as itself
  if (err instanceof AssertionFailure) throw err
  const code = errnoCode(err)
  if (code !== undefined && NO_SPACE_CODES.has(code)) {
    return new JadfsError('NO_SPACE', `no space left in the data directory while ${doing}`, { cause: err })
  }
  const why = err instanceof Error ? err.message : String(err)
  return new JadfsError('STORAGE_IO', `storage failure while ${doing}: ${why}`, { cause: err })
}

export function errnoCode (err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

export function isNotFound (err: unknown): boolean {
  return errnoCode(err) === 'ENOENT'
}
