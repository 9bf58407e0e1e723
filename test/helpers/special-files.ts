// Paths that are not regular files, for readers that must refuse them without reading: a FIFO
// (Node cannot make one, so mkfifo(1) does) and /dev/zero (bytes without end). Each maker
// returns why it cannot on this system, for the test to skip with; skipBecause says so in
// the output.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const DEV_ZERO = '/dev/zero'

export function makeFifo (path: string): string | undefined {
  try {
    execFileSync('mkfifo', [path], { stdio: 'pipe' })
    return undefined
  } catch (err) {
    return `cannot make a FIFO with mkfifo: ${(err as Error).message.split('\n')[0] ?? ''}`
  }
}

export function devZeroMissing (): string | undefined {
  return existsSync(DEV_ZERO) ? undefined : `no ${DEV_ZERO} on this system`
}

/** Skips the running test when reason is set. */
export function skipBecause (ctx: Mocha.Context, reason: string | undefined): void {
  if (reason === undefined) return
  console.log(`      (skipped: ${reason})`)
  ctx.skip()
}
