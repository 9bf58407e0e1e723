// The process surroundings a command uses, injected so commands stay testable.
import type { Readable, Writable } from 'node:stream'

export interface CliIo {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable & { isTTY?: boolean, columns?: number }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** calls the handler on SIGINT/SIGTERM until the returned function is called */
  readonly onInterrupt?: (handler: () => void) => () => void
  /** ends the process now; a daemon that has stopped cleanly does not wait for library timers */
  readonly exit?: (code: number) => void
}

export function processIo (): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    exit: (code) => process.exit(code),
    onInterrupt: (handler) => {
      process.once('SIGINT', handler)
      process.once('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    }
  }
}
