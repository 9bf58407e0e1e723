// Process exit codes of the CLI. Scripts rely on them: 0 success, 1 an operating error (the
// daemon is unreachable, the file is missing or corrupt, the disk failed), 2 a usage error
// (bad flags or arguments, an invalid path, range or configuration value), 130 interrupted.
import type { ErrorCode } from '../errors.js'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
/** the shell's convention for a command stopped by SIGINT */
export const EXIT_INTERRUPTED = 130

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['INVALID_CONFIG', 'INVALID_PATH', 'INVALID_ARGUMENT', 'INVALID_CID', 'INVALID_RANGE'])

export function exitCodeFor (code: ErrorCode): number {
  if (code === 'INTERRUPTED') return EXIT_INTERRUPTED
  return USAGE_CODES.has(code) ? EXIT_USAGE : EXIT_FAILURE
}
