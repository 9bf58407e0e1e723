// The stand-in daemon script (test/fixtures/stand-in-daemon.ts, compiled beside this file's
// directory) and small process facts the harness tests check.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const STAND_IN_DAEMON = fileURLToPath(new URL('../fixtures/stand-in-daemon.js', import.meta.url))

/** the process group of pid, from /proc/<pid>/stat (the field after state and ppid) */
export function processGroup (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[2])
}
