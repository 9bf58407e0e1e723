// `npm run sim -- --seeds N [--start S] [--nodes 3|5] [--verbose] [--json]`: runs N seeds of
// the deterministic Raft simulation and exits non-zero on the first violation, printing the
// seed, the broken invariant, the end of the trace and the command that replays it.
// `--ticks T` fixes the chaos phase length; `--set key=value` fixes any other configuration
// choice (e.g. `--set snapshotEntries=5`), as regression seeds do.

import { parseArgs } from 'node:util'
import { createRaftDriver } from '../driver/index.js'
import { runSeeds } from './run-seeds.js'
import type { SimConfigOverrides } from './config.js'
import type { SimResult } from './simulation.js'

const USAGE = 'usage: npm run sim -- --seeds N [--start S] [--nodes 3|5] [--ticks T] [--set key=value]... [--verbose] [--json]'

async function main (): Promise<number> {
  let values
  try {
    values = parseArgs({
      options: {
        seeds: { type: 'string', default: '100' },
        start: { type: 'string', default: '1' },
        nodes: { type: 'string' },
        ticks: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        verbose: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false }
      }
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (values.help) { console.log(USAGE); return 0 }
  const count = Number(values.seeds)
  const start = Number(values.start)
  const voters = values.nodes === undefined ? undefined : Number(values.nodes)
  const chaosTicks = values.ticks === undefined ? undefined : Number(values.ticks)
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(start) ||
      (voters !== undefined && voters !== 3 && voters !== 5) ||
      (chaosTicks !== undefined && (!Number.isSafeInteger(chaosTicks) || chaosTicks < 1))) {
    console.error(USAGE)
    return 2
  }
  const overrides: Record<string, unknown> = {}
  for (const kv of values.set) {
    const at = kv.indexOf('=')
    if (at <= 0) { console.error(USAGE); return 2 }
    const value = kv.slice(at + 1)
    overrides[kv.slice(0, at)] = value === 'true' ? true : value === 'false' ? false : Number(value)
  }
  if (voters !== undefined) overrides.voters = voters
  if (chaosTicks !== undefined) overrides.chaosTicks = chaosTicks
  const { totals, failure } = await runSeeds({
    start,
    count,
    createDriver: createRaftDriver,
    overrides: overrides as SimConfigOverrides,
    ...(values.verbose ? { onTrace: (line: string) => console.log(line) } : {}),
    onResult: values.json
      ? (r: SimResult) => console.log(JSON.stringify({ seed: r.seed, violation: r.violation, digest: r.digest, stats: r.stats }))
      : undefined
  })
  const seconds = totals.elapsedMs / 1000
  if (failure?.violation !== undefined) {
    const v = failure.violation
    if (!values.json) {
      console.error(`\nVIOLATION at seed ${failure.seed}: ${v.message}`)
      console.error(`config: ${JSON.stringify(failure.config)}`)
      console.error(`last ${failure.trace.length} events:`)
      for (const line of failure.trace) console.error(`  ${line}`)
      const flags = [voters === undefined ? '' : ` --nodes ${voters}`, chaosTicks === undefined ? '' : ` --ticks ${chaosTicks}`, ...values.set.map(kv => ` --set ${kv}`)].join('')
      console.error(`\nreplay: npm run sim -- --seeds 1 --start ${failure.seed}${flags} --verbose`)
    }
    return 1
  }
  const summary = {
    ...totals,
    seedsPerSecond: Math.round((totals.seeds / seconds) * 10) / 10,
    msPer1000Seeds: Math.round((totals.elapsedMs / totals.seeds) * 1000)
  }
  if (values.json) {
    console.log(JSON.stringify({ ok: true, ...summary }))
  } else {
    console.log(`${totals.seeds} seeds (${start}..${start + count - 1}) without a violation in ${seconds.toFixed(1)} s: ${summary.seedsPerSecond} seeds/s`)
    console.log(`  clusters: ${totals.threeNode} of 3 voters, ${totals.fiveNode} of 5 voters; ${totals.steps} events, ${totals.ticks} ticks, ${totals.messagesDelivered} messages delivered`)
    console.log(`  faults: ${totals.crashes} crashes, ${totals.confChanges} membership changes, ${totals.leadersElected} leaders elected`)
    console.log(`  snapshots: ${totals.snapshotsCreated} taken, ${totals.snapshotsInstalled} installed from a leader`)
    console.log(`  clients: ${totals.opsIssued} operations, ${totals.writesAcked} writes acknowledged, ${totals.writesUnknown} of unknown outcome, ${totals.readsOk} reads`)
    console.log(`  deferred readies: ${totals.deferReadySeeds} seeds, ${totals.readyRuns} ready-runs, ${totals.crashesWithPendingReady} crashes discarded ${totals.readiesDiscarded} pending`)
    console.log(`  linearizability: ok ${totals.linearizabilityOk}, unknown (search budget) ${totals.linearizabilityUnknown}`)
    console.log(`  liveness: converged at most ${totals.maxLivenessTicks} ticks after healing (bound per seed ${totals.maxLivenessBoundTicks} ticks at most)`)
  }
  return 0
}

process.exitCode = await main()
