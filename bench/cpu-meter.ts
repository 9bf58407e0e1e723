// CPU time spent while an operation runs: the whole machine's busy cores (from /proc/stat,
// every process and the kernel) and each named process's cores (user + system time of all
// its threads, from /proc/<pid>/stat). On a machine where the daemons, the client and the
// kernel share two cores, throughput is CPU time per byte, so the cluster section reports
// these beside the MB/s figures. Linux only; elsewhere every figure is 0.
import { readFileSync } from 'node:fs'

export interface CpuReading {
  /** average busy cores of the whole machine over the interval */
  readonly machineBusyCores: number
  /** average cores each named process used over the interval */
  readonly processCores: Readonly<Record<string, number>>
}

interface Snapshot {
  readonly atMs: number
  readonly machineBusyTicks: number
  readonly machineTotalTicks: number
  /** the cpuN lines of the same reading */
  readonly machineCores: number
  readonly processTicks: Record<string, number>
}

/** clock ticks per second of /proc's figures (USER_HZ), 100 on every Linux we run on */
const TICKS_PER_SECOND = 100

export function startCpuMeter (pids: Readonly<Record<string, number>>): { stop: () => CpuReading } {
  const start = snapshot(pids)
  return {
    stop: () => {
      const end = snapshot(pids)
      const seconds = (end.atMs - start.atMs) / 1000
      const totalTicks = end.machineTotalTicks - start.machineTotalTicks
      return {
        machineBusyCores: totalTicks <= 0 ? 0 : round2(end.machineCores * (end.machineBusyTicks - start.machineBusyTicks) / totalTicks),
        processCores: Object.fromEntries(Object.keys(pids).map((key) => [key, seconds <= 0 ? 0 : round2(((end.processTicks[key] ?? 0) - (start.processTicks[key] ?? 0)) / TICKS_PER_SECOND / seconds)]))
      }
    }
  }
}

function snapshot (pids: Readonly<Record<string, number>>): Snapshot {
  // cpu  user nice system idle iowait irq softirq steal ...: idle and iowait are not busy
  const lines = readOr('/proc/stat').split('\n')
  const fields = lines[0]?.trim().split(/\s+/).slice(1).map(Number) ?? []
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  const processTicks: Record<string, number> = {}
  for (const [key, pid] of Object.entries(pids)) {
    // fields after the command name: state is 3rd, utime 14th and stime 15th of the whole line
    const after = readOr(`/proc/${pid}/stat`).split(') ')[1]?.split(' ') ?? []
    processTicks[key] = Number(after[11] ?? 0) + Number(after[12] ?? 0)
  }
  const machineCores = lines.filter((line) => /^cpu\d+ /.test(line)).length
  return { atMs: performance.now(), machineBusyTicks: total - idle, machineTotalTicks: total, machineCores, processTicks }
}

function readOr (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function round2 (n: number): number {
  return Math.round(n * 100) / 100
}
