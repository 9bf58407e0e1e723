// Samples another process's resident memory from /proc/<pid>/status every 100 ms (VmRSS),
// and reads the kernel's own peak (VmHWM), to report the daemon's peak RSS.
import { readFile } from 'node:fs/promises'

export interface RssSampler {
  /** peak RSS in bytes seen so far (sampled, or VmHWM if higher) */
  peakBytes (): Promise<number>
  stop (): void
}

async function readStatusKiB (pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
  return match === null ? 0 : Number(match[1])
}

export function sampleRss (pid: number, intervalMs = 100): RssSampler {
  let peakKiB = 0
  const timer = setInterval(() => {
    void readStatusKiB(pid, 'VmRSS').then((kib) => { peakKiB = Math.max(peakKiB, kib) })
  }, intervalMs)
  return {
    async peakBytes () {
      const hwm = await readStatusKiB(pid, 'VmHWM')
      return Math.max(peakKiB, hwm) * 1024
    },
    stop () { clearInterval(timer) }
  }
}
