// Paths that are not regular files, for readers that must refuse them without reading: a FIFO
// (Node cannot make one, so mkfifo(1) does) and /dev/zero (bytes without end). Each maker
// returns why it cannot on this system, for the test to skip with; skipBecause says so in
// the output. callInChild runs such a reader where a hang cannot stop the test run.
import { execFileSync, spawn } from 'node:child_process'
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

/** What a function run in a child process did: its JadfsError code and message, or 'returned'. */
export interface ChildOutcome { readonly code?: string, readonly message: string }

/**
 * Calls `exportName(...args)` of the module at `moduleUrl` in a child process. Readers of
 * special files are synchronous: one that waited on a FIFO or read /dev/zero without end would
 * block this process, where mocha's timeout could not fire. The child's 16 MiB heap makes an
 * endless read die within a second or so; one that blocks is killed after `timeoutMs`.
 */
export async function callInChild (moduleUrl: string, exportName: string, args: readonly string[], timeoutMs = 10_000): Promise<ChildOutcome> {
  const script = `
    const m = await import(process.argv[1])
    try {
      await m[process.argv[2]](...process.argv.slice(3))
      console.log(JSON.stringify({ message: 'returned' }))
    } catch (err) {
      console.log(JSON.stringify({ code: err.code, message: err.message }))
    }`
  const child = spawn(process.execPath, ['--max-old-space-size=16', '--input-type=module', '-e', script, moduleUrl, exportName, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8') })
  child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8') })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  try {
    const exit = await new Promise<number | null>((resolve) => child.on('close', resolve))
    if (exit !== 0) throw new Error(`the child calling ${exportName} ${child.signalCode === 'SIGKILL' ? `still ran after ${timeoutMs} ms` : `failed (exit ${String(exit)})`}: ${err.slice(0, 2000)}`)
    return JSON.parse(out) as ChildOutcome
  } finally {
    clearTimeout(timer)
  }
}
