// Property tests of the checker against ground truth: histories produced by running a real
// sequential key-value map at a random point inside each operation's random interval (some
// outcomes unknown, some of those never applied) are linearizable by construction and must be
// 'ok'; the same history with one read's output replaced by a value nobody wrote cannot be
// linearizable and must be 'illegal'.

import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { checkLinearizability, kvModel } from '../../src/check/linearizability/index.js'
import { generateKvHistory, type PlannedOp } from './kv-history.js'

const plannedOp: fc.Arbitrary<PlannedOp> = fc.record({
  client: fc.nat(4),
  key: fc.constantFrom('a', 'b', 'c'),
  kind: fc.constantFrom('get', 'get', 'put', 'append'),
  gapBefore: fc.nat(4),
  toLin: fc.nat(8),
  toReturn: fc.nat(8),
  outcome: fc.constantFrom('known', 'known', 'known', 'known', 'unknownApplied', 'unknownLost')
})
const plan = fc.array(plannedOp, { minLength: 1, maxLength: 60 })

describe('linearizability checker: properties', () => {
  it('accepts every history a sequential store produced', () => {
    fc.assert(fc.property(plan, (p) => {
      const r = checkLinearizability(kvModel, generateKvHistory(p))
      assert.equal(r.result, 'ok', JSON.stringify(r))
    }), { numRuns: 300 })
  })

  it('rejects the same history once one read returns a value never written', () => {
    fc.assert(fc.property(plan, fc.nat(), (p, pick) => {
      const history = generateKvHistory(p)
      const reads = history.flatMap((o, i) => (o.input.op === 'get' && o.return !== null ? [i] : []))
      fc.pre(reads.length > 0)
      const target = reads[pick % reads.length]!
      const corrupted = history.map((o, i) => (i === target ? { ...o, output: { op: 'get' as const, value: 'never-written' } } : o))
      assert.equal(checkLinearizability(kvModel, corrupted).result, 'illegal')
    }), { numRuns: 300 })
  })
})
