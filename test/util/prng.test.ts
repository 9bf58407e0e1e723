// Checks the seeded PRNG: the same seed replays the same sequence, different seeds differ,
// bounds hold, and the output is roughly uniform (a chi-square bound a biased generator fails).
import { strict as assert } from 'node:assert'
import { createPrng } from '../../src/util/prng.js'

describe('seeded prng', () => {
  it('replays identically for a seed and differs across seeds', () => {
    const seq = (seed: number): number[] => { const p = createPrng(seed); return Array.from({ length: 50 }, () => p.nextInt(1000)) }
    assert.deepEqual(seq(42), seq(42))
    assert.notDeepEqual(seq(42), seq(43))
    assert.notDeepEqual(seq(0), seq(2 ** 40))
  })

  it('stays in bounds and is roughly uniform', () => {
    const p = createPrng(7)
    const buckets = new Array<number>(10).fill(0)
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const v = p.nextInt(10)
      assert.ok(v >= 0 && v < 10)
      buckets[v]!++
    }
    const expected = n / 10
    const chi2 = buckets.reduce((sum, b) => sum + (b - expected) ** 2 / expected, 0)
    assert.ok(chi2 < 30, `chi-square ${chi2} too high for 9 degrees of freedom`)
  })

  it('rejects bad arguments loudly', () => {
    assert.throws(() => createPrng(1.5), /safe integer/)
    assert.throws(() => createPrng(1).nextInt(0), /bound/)
  })
})
