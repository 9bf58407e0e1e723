// The process surroundings a command uses, injected so commands stay testable.
import type { Readable, Writable } from 'node:stream'

export interface CliIo {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable & { isTTY?: boolean, columns?: number }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

export function processIo (): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }
}
