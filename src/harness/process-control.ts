// Signals and liveness for daemon processes known by pid, including ones started by another
// process (`jadfs cluster up` exits and leaves them running). A recorded pid may have been
// reused by an unrelated process since, so a pid counts as our daemon only if its command line
// names the node's data directory (where /proc exists to tell).
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

const POLL_INTERVAL_MS = 50
/** how long to wait for a process to disappear after SIGKILL, which cannot be caught */
const KILL_WAIT_MS = 5000

export type StopOutcome = 'stopped' | 'killed' | 'not running'

export function isProcessAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether pid is alive and is the daemon of dataDir. A zombie (exited, not yet reaped) has an
 * empty command line, so it counts as gone. Without /proc, liveness alone decides.
 */
export async function isDaemonProcess (pid: number, dataDir: string): Promise<boolean> {
  if (!isProcessAlive(pid)) return false
  let cmdline: string
  try {
    cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    // ENOENT on /proc itself: not Linux. ENOENT on the pid's entry: it just exited.
    if (code === 'ENOENT') return isProcessAlive(pid) && !await procMounted()
    return true
  }
  return cmdline.split('\0').includes(dataDir)
}

async function procMounted (): Promise<boolean> {
  return await readFile('/proc/self/cmdline').then(() => true, () => false)
}

/** polls until alive() is false; true if it became false within timeoutMs */
export async function waitUntilGone (alive: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (await alive()) {
    if (Date.now() >= deadline) return false
    await sleep(POLL_INTERVAL_MS)
  }
  return true
}

/**
 * SIGTERM (the daemon's clean shutdown; sent once, since a second signal makes it skip that),
 * then, if it is still running after timeoutMs, SIGKILL to its process group (each daemon has
 * its own, so nothing it started survives either).
 */
export async function terminate (pid: number, alive: () => boolean | Promise<boolean>, timeoutMs: number): Promise<StopOutcome> {
  if (!await alive()) return 'not running'
  signal(pid, 'SIGTERM')
  // A paused process (SIGSTOP, e.g. by a test) would otherwise hold the signal until SIGKILL.
  signal(pid, 'SIGCONT')
  if (await waitUntilGone(alive, timeoutMs)) return 'stopped'
  signalGroup(pid, 'SIGKILL')
  if (await waitUntilGone(alive, KILL_WAIT_MS)) return 'killed'
  throw new Error(`process ${pid} is still running ${KILL_WAIT_MS} ms after SIGKILL`)
}

/** sends a signal to one process; false if it no longer exists */
export function signal (pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/** sends a signal to the process group led by pid (falling back to the process alone) */
export function signalGroup (pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, name)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
    return signal(pid, name)
  }
}
