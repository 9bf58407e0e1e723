// Checks that the checker is fast enough for the simulator: a 2,000-operation history over 10
// keys from 5 concurrent clients (with and without some unknown outcomes) must decide in well
// under a second. The history comes from a real sequential store, so the verdict is also 'ok'.

import { strict as assert } from 'node:assert'
import { checkLinearizability, kvModel } from '../../src/check/linearizability/index.js'
import { createPrng } from '../../src/util/prng.js'
import { generateKvHistory, type PlannedOp } from './kv-history.js'

const BUDGET_MS = 1000

function plan (seed: number, ops: number, unknownRatio: number): PlannedOp[] {
  const prng = createPrng(seed)
  const kinds = ['get', 'get', 'put', 'append'] as const
  return Array.from({ length: ops }, () => ({
    client: prng.nextInt(5),
    key: `k${prng.nextInt(10)}`,
    kind: kinds[prng.nextInt(kinds.length)]!,
    gapBefore: prng.nextInt(3),
    toLin: prng.nextInt(10),
    toReturn: prng.nextInt(10),
    outcome: prng.chance(unknownRatio) ? (prng.chance(0.5) ? 'unknownApplied' : 'unknownLost') : 'known'
  }))
}

describe('linearizability checker: performance', () => {
  for (const unknownRatio of [0, 0.02]) {
    it(`checks 2,000 operations, 10 keys, 5 clients, ${unknownRatio * 100}% unknown outcomes in under ${BUDGET_MS} ms`, () => {
      const history = generateKvHistory(plan(42, 2000, unknownRatio))
      const started = performance.now()
      const r = checkLinearizability(kvModel, history)
      const elapsedMs = performance.now() - started
      assert.equal(r.result, 'ok')
      assert.ok(elapsedMs < BUDGET_MS, `took ${elapsedMs.toFixed(1)} ms`)
      console.log(`      checked in ${elapsedMs.toFixed(1)} ms`)
    })
  }
})
