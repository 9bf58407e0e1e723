// Checks the linearizability checker on small hand-written key-value histories whose verdict is
// known: legal ones must come back 'ok', illegal ones 'illegal' (stale reads, values never
// written, lost appends, unknown-outcome writes that appear and then vanish). Each history is
// small enough to verify by hand from the comment next to it.

import { strict as assert } from 'node:assert'
import { checkLinearizability, kvModel, type KvInput, type KvOutput, type Operation } from '../../src/check/linearizability/index.js'

type Op = Operation<KvInput, KvOutput>

const put = (clientId: number, key: string, value: string, call: number, ret: number | null): Op =>
  ret === null ? { clientId, input: { op: 'put', key, value }, call, return: null } : { clientId, input: { op: 'put', key, value }, call, return: ret, output: { op: 'put' } }
const append = (clientId: number, key: string, value: string, call: number, ret: number | null): Op =>
  ret === null ? { clientId, input: { op: 'append', key, value }, call, return: null } : { clientId, input: { op: 'append', key, value }, call, return: ret, output: { op: 'append' } }
const get = (clientId: number, key: string, value: string | null, call: number, ret: number): Op =>
  ({ clientId, input: { op: 'get', key }, call, return: ret, output: { op: 'get', value } })

const verdict = (history: Op[]): string => checkLinearizability(kvModel, history).result

describe('linearizability checker: key-value histories', () => {
  it('accepts the empty history and a missing key reading null', () => {
    assert.equal(verdict([]), 'ok')
    assert.equal(verdict([get(1, 'x', null, 0, 1)]), 'ok')
    assert.equal(verdict([get(1, 'x', '', 0, 1)]), 'illegal')
  })

  it('accepts a sequential write then read, rejects a stale read after a completed write', () => {
    assert.equal(verdict([put(1, 'x', 'a', 0, 1), get(2, 'x', 'a', 2, 3)]), 'ok')
    // the put of b returned at 3 before the read was called at 4: reading a is stale
    const stale = [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 3), get(2, 'x', 'a', 4, 5)]
    assert.equal(verdict(stale), 'illegal')
    // the same read overlapping the second put may still see a
    assert.equal(verdict([put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 5), get(2, 'x', 'a', 4, 6)]), 'ok')
  })

  it('accepts concurrent writes observed in either order, but not flip-flopping', () => {
    const writes = [put(1, 'x', '1', 0, 10), put(2, 'x', '2', 0, 10)]
    assert.equal(verdict([...writes, get(3, 'x', '1', 1, 2), get(3, 'x', '2', 3, 4)]), 'ok')
    assert.equal(verdict([...writes, get(3, 'x', '2', 1, 2), get(3, 'x', '1', 3, 4)]), 'ok')
    // 1, then 2, then 1 again needs one of the puts to happen twice
    assert.equal(verdict([...writes, get(3, 'x', '1', 1, 2), get(3, 'x', '2', 3, 4), get(3, 'x', '1', 5, 6)]), 'illegal')
    // after both writes completed, every reader must agree on the same final value
    assert.equal(verdict([...writes, get(3, 'x', '1', 11, 12), get(4, 'x', '2', 13, 14)]), 'illegal')
  })

  it('rejects a read of a value that was never written', () => {
    assert.equal(verdict([put(1, 'x', 'a', 0, 1), get(2, 'x', 'b', 0, 5)]), 'illegal')
  })

  it('rejects a lost append and accepts concurrent appends in either order', () => {
    const seq = [append(1, 'x', 'a', 0, 1), append(1, 'x', 'b', 2, 3)]
    assert.equal(verdict([...seq, get(2, 'x', 'ab', 4, 5)]), 'ok')
    assert.equal(verdict([...seq, get(2, 'x', 'b', 4, 5)]), 'illegal')
    assert.equal(verdict([...seq, get(2, 'x', 'ba', 4, 5)]), 'illegal')
    const concurrent = [append(1, 'x', 'a', 0, 3), append(2, 'x', 'b', 0, 3)]
    assert.equal(verdict([...concurrent, get(3, 'x', 'ba', 4, 5)]), 'ok')
    assert.equal(verdict([...concurrent, get(3, 'x', 'ab', 4, 5)]), 'ok')
  })

  it('treats operations that touch at an instant as concurrent', () => {
    // the read is called at the put's return time: either order is allowed
    assert.equal(verdict([put(1, 'x', 'a', 0, 5), get(2, 'x', null, 5, 6)]), 'ok')
    assert.equal(verdict([put(1, 'x', 'a', 0, 5), get(2, 'x', null, 6, 7)]), 'illegal')
  })

  it('checks keys independently', () => {
    assert.equal(verdict([put(1, 'x', 'a', 0, 1), get(2, 'y', null, 2, 3), get(2, 'x', 'a', 4, 5)]), 'ok')
    const r = checkLinearizability(kvModel, [put(1, 'x', 'a', 0, 1), put(1, 'y', 'b', 0, 1), get(2, 'y', null, 2, 3)])
    assert.equal(r.result, 'illegal')
    assert.ok(r.result === 'illegal' && r.partition === 1, 'the y partition is the second one')
  })

  describe('operations of unknown outcome', () => {
    it('accepts an unacknowledged put that later becomes visible, or never does', () => {
      assert.equal(verdict([put(1, 'x', 'a', 0, null), get(2, 'x', 'a', 10, 11)]), 'ok')
      assert.equal(verdict([put(1, 'x', 'a', 0, null), get(2, 'x', null, 10, 11)]), 'ok')
      // it may take effect long after its client moved on
      assert.equal(verdict([put(1, 'x', 'a', 0, null), put(1, 'x', 'b', 5, 6), get(2, 'x', 'a', 10, 11)]), 'ok')
    })

    it('rejects an unacknowledged put that is visible and then disappears', () => {
      assert.equal(verdict([put(1, 'x', 'a', 0, null), get(2, 'x', 'a', 10, 11), get(2, 'x', null, 12, 13)]), 'illegal')
    })

    it('rejects an unacknowledged put visible before it was called', () => {
      assert.equal(verdict([get(2, 'x', 'a', 0, 1), put(1, 'x', 'a', 2, null)]), 'illegal')
    })

    it('ignores reads of unknown outcome, which constrain nothing', () => {
      const unknownReads: Op[] = Array.from({ length: 40 }, (_, i) => ({ clientId: 10 + i, input: { op: 'get', key: 'x' }, call: i, return: null }))
      const h = [put(1, 'x', 'a', 0, 1), ...unknownReads, get(2, 'x', 'a', 50, 51)]
      // 40 reads concurrent with everything would need far more than 10 steps if they were searched
      assert.deepEqual(checkLinearizability(kvModel, h, { maxSteps: 10 }), { result: 'ok' })
      assert.equal(checkLinearizability(kvModel, [...h, get(2, 'x', null, 52, 53)], { maxSteps: 10 }).result, 'illegal')
    })

    it('lets an unknown append take effect at most once', () => {
      const h = [append(1, 'x', 'a', 0, null), append(2, 'x', 'b', 1, 2)]
      assert.equal(verdict([...h, get(3, 'x', 'ab', 3, 4)]), 'ok')
      assert.equal(verdict([...h, get(3, 'x', 'b', 3, 4)]), 'ok')
      assert.equal(verdict([...h, get(3, 'x', 'aba', 3, 4)]), 'illegal')
    })
  })

  it('explains an illegal history with the operation that could not be placed', () => {
    const r = checkLinearizability(kvModel, [put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 3), get(2, 'x', 'a', 4, 5)])
    assert.equal(r.result, 'illegal')
    assert.ok(r.result === 'illegal' && r.explanation.includes('get(x) -> "a"'), r.result === 'illegal' ? r.explanation : '')
  })
})
