// The faults the chaos phase injects, one per fault event, chosen by weight from the run's
// PRNG: crash and restart (the leader more often than its share: leader changes are where
// Raft implementations lose writes), symmetric and one-way partitions and their healing, changes of
// loss / duplication / delay, membership changes (one at a time) and leadership transfer.

import type { SeededPrng } from '../../util/prng.js'
import type { NetworkFaults } from './network.js'

export type FaultKind =
  | 'crash' | 'crash-leader' | 'restart' | 'isolate' | 'isolate-leader' | 'split' | 'one-way' | 'heal-links'
  | 'network-rates' | 'membership' | 'transfer-leader'

const WEIGHTS: ReadonlyArray<readonly [FaultKind, number]> = [
  ['crash', 3], ['crash-leader', 2], ['restart', 6], ['isolate', 2], ['isolate-leader', 2], ['split', 2], ['one-way', 2], ['heal-links', 5],
  ['network-rates', 2], ['membership', 3], ['transfer-leader', 1]
]
const TOTAL = WEIGHTS.reduce((s, [, w]) => s + w, 0)

export function chooseFault (rng: SeededPrng): FaultKind {
  let r = rng.nextInt(TOTAL)
  for (const [kind, w] of WEIGHTS) {
    if (r < w) return kind
    r -= w
  }
  return 'heal-links'
}

export function chooseNetworkRates (rng: SeededPrng): NetworkFaults {
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)]!
  return {
    lossRate: pick([0, 0, 0.02, 0.1, 0.3]),
    duplicateRate: pick([0, 0.02, 0.1]),
    maxDelayTicks: pick([0, 1, 3, 8])
  }
}
