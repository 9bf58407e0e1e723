// One daemon started by the harness: `node <bin> daemon ...args`, detached in its own process
// group (so it outlives a `jadfs cluster up` that returns, and a terminal's Ctrl-C does not reach
// it), with stdout and stderr appended to its log file.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFile, mkdir, open } from 'node:fs/promises'
import path from 'node:path'

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface DaemonProcess {
  readonly pid: number
  readonly logFile: string
  /** set once the process has exited */
  readonly exit: ExitStatus | undefined
  readonly exited: Promise<ExitStatus>
  /** lets this process exit while the daemon keeps running */
  unref (): void
}

export interface SpawnDaemonInit {
  /** the script run with node (normally <repo>/bin/jadfs) */
  readonly bin: string
  readonly dataDir: string
  /** everything after `daemon` */
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly logFile: string
}

export async function spawnDaemon (init: SpawnDaemonInit): Promise<DaemonProcess> {
  await mkdir(init.dataDir, { recursive: true })
  const argv = [init.bin, 'daemon', ...init.args]
  // A header per start, so a log that spans restarts shows where each run begins.
  await appendFile(init.logFile, `--- ${new Date().toISOString()} starting: node ${argv.join(' ')}\n`)
  const log = await open(init.logFile, 'a')
  let child: ChildProcess
  let spawned: Promise<number>
  let exit: ExitStatus | undefined
  let exited: Promise<ExitStatus>
  try {
    child = spawn(process.execPath, argv, { detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...init.env } })
    // Listeners go on before any await: 'spawn' and 'error' come on the next tick.
    spawned = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => { resolve(child.pid as number) })
      child.once('error', reject)
    })
    exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        exit = { code, signal }
        resolve(exit)
      })
    })
  } finally {
    // The child holds its own copy of the descriptor.
    await log.close()
  }
  const pid = await spawned
  return {
    pid,
    logFile: init.logFile,
    get exit () { return exit },
    exited,
    unref: () => { child.unref() }
  }
}

export function describeExit (status: ExitStatus): string {
  return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${String(status.code)}`
}

export function nodeLogFile (dataDir: string): string {
  return path.join(dataDir, 'daemon.log')
}
