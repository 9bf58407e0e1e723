// Checks ThrottledWarning on a stepped clock: the first occurrence warns; within the interval
// nothing does, even 1 ms before its end; exactly intervalMs after the last warning one does
// again, covering every occurrence since (so none goes uncounted), and the next interval runs
// from that warning.
import { strict as assert } from 'node:assert'
import { ThrottledWarning } from '../../src/util/throttled-warning.js'

describe('throttled warning', () => {
  const INTERVAL_MS = 60_000

  it('warns at most once per interval, exactly at its edge, covering every occurrence since the last warning', () => {
    let now = 1_000
    const w = new ThrottledWarning(INTERVAL_MS, () => now)
    assert.equal(w.record(), 1, 'the first occurrence warns')
    now += 1
    assert.equal(w.record(), undefined)
    now += INTERVAL_MS - 2
    assert.equal(w.record(), undefined, '1 ms before the interval ends')
    now += 1
    assert.equal(w.record(), 3, 'exactly intervalMs after the last warning, covering all three')
    // the next interval runs from that warning
    now += INTERVAL_MS - 1
    assert.equal(w.record(), undefined)
    now += 1
    assert.equal(w.record(), 2)
  })

  it('the first occurrence warns even at clock time 0; after a long quiet the next one warns', () => {
    let now = 0
    const w = new ThrottledWarning(INTERVAL_MS, () => now)
    assert.equal(w.record(), 1, 'at time 0 too')
    now = 10 * INTERVAL_MS
    assert.equal(w.record(), 1)
  })
})
