// Runs consecutive seeds and totals what they did; stops at the first violation. Shared by
// the CLI and the tests so both run seeds exactly the same way.

import { runSimulation, type SimOptions, type SimResult } from './simulation.js'

export interface RunSeedsOptions extends Omit<SimOptions, 'seed'> {
  readonly start: number
  readonly count: number
  /** after each seed, e.g. for progress */
  readonly onResult?: (result: SimResult) => void
}

export interface SeedTotals {
  seeds: number
  elapsedMs: number
  steps: number
  ticks: number
  messagesDelivered: number
  crashes: number
  confChanges: number
  snapshotsCreated: number
  snapshotsInstalled: number
  leadersElected: number
  opsIssued: number
  writesAcked: number
  writesUnknown: number
  readsOk: number
  /** seeds whose nodes deferred their readies */
  deferReadySeeds: number
  readyRuns: number
  crashesWithPendingReady: number
  readiesDiscarded: number
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
    seeds: 0, elapsedMs: 0, steps: 0, ticks: 0, messagesDelivered: 0, crashes: 0, confChanges: 0, snapshotsCreated: 0, snapshotsInstalled: 0, leadersElected: 0,
    opsIssued: 0, writesAcked: 0, writesUnknown: 0, readsOk: 0,
    deferReadySeeds: 0, readyRuns: 0, crashesWithPendingReady: 0, readiesDiscarded: 0, linearizabilityOk: 0, linearizabilityUnknown: 0,
    maxLivenessTicks: 0, maxLivenessBoundTicks: 0, threeNode: 0, fiveNode: 0
  }
  const began = performance.now()
  for (let seed = options.start; seed < options.start + options.count; seed++) {
    const result = await runSimulation({ ...options, seed })
    options.onResult?.(result)
    const s = result.stats
    totals.seeds++
    totals.steps += s.steps
    totals.ticks += s.ticks
    totals.messagesDelivered += s.messagesDelivered
    totals.crashes += s.crashes
    totals.confChanges += s.confChanges
    totals.snapshotsCreated += s.snapshotsCreated
    totals.snapshotsInstalled += s.snapshotsInstalled
    totals.leadersElected += s.leadersElected
    totals.opsIssued += s.opsIssued
    totals.writesAcked += s.writesAcked
    totals.writesUnknown += s.writesUnknown
    totals.readsOk += s.readsOk
    if (result.config.deferReady) totals.deferReadySeeds++
    totals.readyRuns += s.readyRuns
    totals.crashesWithPendingReady += s.crashesWithPendingReady
    totals.readiesDiscarded += s.readiesDiscarded
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
