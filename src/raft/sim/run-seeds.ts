// Runs consecutive seeds and totals what they did; stops at the first violation. Shared by
// the CLI and the tests so both run seeds exactly the same way.

import { runSimulation, type SimOptions, type SimResult, type SimStats } from './simulation.js'

export interface RunSeedsOptions extends Omit<SimOptions, 'seed'> {
  readonly start: number
  readonly count: number
  /** after each seed, e.g. for progress */
  readonly onResult?: (result: SimResult) => void
}

/** per-seed counters that the totals simply add up */
const SUMMED_STATS = [
  'steps', 'ticks', 'messagesDelivered', 'crashes', 'confChanges', 'snapshotsCreated', 'snapshotsInstalled',
  'leadersElected', 'opsIssued', 'writesAcked', 'writesUnknown', 'readsOk', 'readyRuns',
  'crashesWithPendingReady', 'readiesDiscarded'
] as const satisfies ReadonlyArray<keyof SimStats>

export type SeedTotals = Record<typeof SUMMED_STATS[number], number> & {
  seeds: number
  elapsedMs: number
  /** seeds whose nodes deferred their readies */
  deferReadySeeds: number
  linearizabilityOk: number
  linearizabilityUnknown: number
  maxLivenessTicks: number
  maxLivenessBoundTicks: number
  threeNode: number
  fiveNode: number
}

export interface RunSeedsResult {
  readonly totals: SeedTotals
  /** the first failing seed, if any */
  readonly failure?: SimResult
}

export async function runSeeds (options: RunSeedsOptions): Promise<RunSeedsResult> {
  const totals: SeedTotals = {
    ...Object.fromEntries(SUMMED_STATS.map((k) => [k, 0])) as Record<typeof SUMMED_STATS[number], number>,
    seeds: 0, elapsedMs: 0, deferReadySeeds: 0, linearizabilityOk: 0, linearizabilityUnknown: 0,
    maxLivenessTicks: 0, maxLivenessBoundTicks: 0, threeNode: 0, fiveNode: 0
  }
  const began = performance.now()
  for (let seed = options.start; seed < options.start + options.count; seed++) {
    const result = await runSimulation({ ...options, seed })
    options.onResult?.(result)
    const s = result.stats
    totals.seeds++
    for (const k of SUMMED_STATS) totals[k] += s[k]
    if (result.config.deferReady) totals.deferReadySeeds++
    if (s.linearizability === 'ok') totals.linearizabilityOk++
    if (s.linearizability === 'unknown') totals.linearizabilityUnknown++
    totals.maxLivenessTicks = Math.max(totals.maxLivenessTicks, s.livenessTicks)
    totals.maxLivenessBoundTicks = Math.max(totals.maxLivenessBoundTicks, s.livenessBoundTicks)
    if (result.config.voters === 3) totals.threeNode++
    else totals.fiveNode++
    if (result.violation !== undefined) {
      totals.elapsedMs = performance.now() - began
      return { totals, failure: result }
    }
  }
  totals.elapsedMs = performance.now() - began
  return { totals }
}
