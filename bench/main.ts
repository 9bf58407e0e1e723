// `npm run bench`: runs each benchmark section (single-node, raft, cluster) and prints its figures, as
// text or with --json as one JSON object keyed by section. A section is a function returning
// flat figures; adding one means importing it and adding it to SECTION_RUNNERS.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseBenchArgs, type BenchArgs, type Section } from './bench-args.js'
import { runClusterBench } from './cluster-bench.js'
import { runRaftBench } from './raft-bench.js'
import { runSingleNodeBench } from './single-node-bench.js'

type Figures = Record<string, number | string>

const SECTION_RUNNERS: Record<Section, (args: BenchArgs, dir: string, log: (line: string) => void) => Promise<Figures>> = {
  'single-node': async (args, dir, log) => await runSingleNodeBench({ dir, sizeBytes: args.sizeBytes, chunkSize: args.chunkSize, rounds: args.rounds, log }),
  raft: async (_args, dir) => await runRaftBench({ dir }),
  cluster: async (args, dir, log) => await runClusterBench({ dir, sizeBytes: args.sizeBytes, chunkSize: args.chunkSize, rounds: args.rounds, log })
}

async function main (argv: readonly string[]): Promise<number> {
  let args: BenchArgs
  try {
    args = parseBenchArgs(argv)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 2
  }
  const log = (line: string): void => { if (!args.json) process.stderr.write(`  … ${line}\n`) }
  const results: Record<string, Figures> = {}
  for (const section of args.sections) {
    const dir = await mkdtemp(path.join(args.dir ?? os.tmpdir(), `jadfs-bench-${section}-`))
    try {
      if (!args.json) process.stdout.write(`\n== ${section} ==\n`)
      const figures = await SECTION_RUNNERS[section](args, dir, log)
      results[section] = figures
      if (!args.json) printFigures(section, figures)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  if (args.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n')
  return 0
}

function printFigures (section: Section, f: Figures): void {
  if (section === 'single-node') {
    const gib = (Number(f.sizeBytes) / 1024 ** 3).toFixed(2)
    const row = (label: string, key: string, note = ''): string =>
      `  ${label.padEnd(12)} ${String(f[key]).padStart(7)} MB/s   runs [${String(f[key.replace('MBps', 'RunsMBps')])}]${note}`
    const ratios = (op: 'put' | 'get'): string =>
      `vs sha256 ${f[`${op}VsSha256`]}  write+fsync ${f[`${op}VsWriteFsync`]}  read ${f[`${op}VsRead`]}  write+read ${f[`${op}VsWriteRead`]}`
    process.stdout.write([
      `file ${gib} GiB, chunk size ${f.chunkSize}, ${f.rounds} rounds; every figure is the ${f.statistic} of the rounds`,
      'ceilings',
      row('sha256', 'sha256MBps', '   (one core)'),
      row('write+fsync', 'writeFsyncMBps', `   (fdatasync every ${f.chunkSize}, as the store does per chunk)`),
      row('read', 'readMBps', '   (the file just written: page cache)'),
      row('write+read', 'writeReadMBps', '   (bytes / (write time + read time))'),
      'operations over HTTP',
      row('put', 'putMBps'),
      row('get', 'getMBps'),
      `ratios  put ${ratios('put')}`,
      `        get ${ratios('get')}`,
      `target (issue: slower of sha256 and write+read = ${f.targetCeilingMBps} MB/s)`,
      `  put ${f.putRatio}   target ≥ ${f.putTargetRatio}   ${f.putVerdict}`,
      `  get ${f.getRatio}   target ≥ ${f.getTargetRatio}   ${f.getVerdict}`,
      'stricter, per direction (informational)',
      `  put ${f.strictPutRatio} of min(sha256, write+fsync) = ${f.strictPutCeilingMBps} MB/s   ${f.strictPutVerdict} ${f.putTargetRatio}`,
      `  get ${f.strictGetRatio} of min(sha256, read) = ${f.strictGetCeilingMBps} MB/s   ${f.strictGetVerdict} ${f.getTargetRatio}`,
      `peak daemon RSS ${f.peakDaemonRssMiB} MiB (all rounds)   target < ${f.rssTargetMiB} MiB   ${f.rssVerdict}`,
      '(MB = 10^6 bytes; ratios are of the medians)'
    ].join('\n') + '\n')
    return
  }
  for (const [key, value] of Object.entries(f)) process.stdout.write(`${key.padEnd(28)} ${String(value)}\n`)
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
