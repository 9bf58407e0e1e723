// Checks the checker's model-independent behaviour: the step budget turns a search that would
// take too long into 'unknown' (and a larger budget into the true verdict), models with their
// own equality and no partition, and rejection of malformed histories.

import { strict as assert } from 'node:assert'
import { checkLinearizability, kvModel, type KvInput, type KvOutput, type Model, type Operation } from '../../src/check/linearizability/index.js'

// a register whose state is an object, compared with a custom equality (no hash override)
interface Register { readonly value: number }
type RegInput = { readonly write: number } | { readonly read: true }
const registerModel: Model<Register, RegInput, number | null> = {
  init: () => ({ value: 0 }),
  step: (s, input, output) => 'write' in input
    ? { ok: true, next: { value: input.write } }
    : { ok: output === undefined || output === s.value, next: s },
  equal: (a, b) => a.value === b.value
}

describe('linearizability checker: budget and generic models', () => {
  it('returns unknown when the step budget runs out, and the verdict with enough budget', () => {
    // 12 concurrent unknown puts and a read of a value none of them wrote: proving it illegal
    // means trying every subset and order of the puts before the read
    const history: Array<Operation<KvInput, KvOutput>> = []
    for (let i = 0; i < 12; i++) history.push({ clientId: i, input: { op: 'put', key: 'x', value: `v${i}` }, call: 0, return: null })
    history.push({ clientId: 99, input: { op: 'get', key: 'x' }, call: 1, return: 2, output: { op: 'get', value: 'never' } })
    assert.deepEqual(checkLinearizability(kvModel, history, { maxSteps: 1000 }), { result: 'unknown', partition: 0 })
    assert.equal(checkLinearizability(kvModel, history).result, 'illegal')
  })

  it('reports illegal over unknown when another partition is decided', () => {
    const history: Array<Operation<KvInput, KvOutput>> = []
    for (let i = 0; i < 12; i++) history.push({ clientId: i, input: { op: 'put', key: 'x', value: `v${i}` }, call: 0, return: null })
    history.push({ clientId: 99, input: { op: 'get', key: 'x' }, call: 1, return: 2, output: { op: 'get', value: 'never' } })
    history.push({ clientId: 98, input: { op: 'get', key: 'y' }, call: 1, return: 2, output: { op: 'get', value: 'never' } })
    assert.deepEqual({ ...checkLinearizability(kvModel, history, { maxSteps: 1000 }), explanation: undefined }, { result: 'illegal', partition: 1, explanation: undefined })
  })

  it('works with a model that has its own equality and no partition', () => {
    const ok: Array<Operation<RegInput, number | null>> = [
      { clientId: 1, input: { write: 1 }, call: 0, return: 3, output: null },
      { clientId: 2, input: { write: 2 }, call: 1, return: 4, output: null },
      { clientId: 3, input: { read: true }, call: 5, return: 6, output: 2 },
      { clientId: 3, input: { read: true }, call: 7, return: 8, output: 2 }
    ]
    assert.equal(checkLinearizability(registerModel, ok).result, 'ok')
    const bad = [...ok, { clientId: 3, input: { read: true } as const, call: 9, return: 10, output: 1 }]
    assert.equal(checkLinearizability(registerModel, bad).result, 'illegal')
  })

  it('rejects malformed histories and options loudly', () => {
    const backwards: Array<Operation<KvInput, KvOutput>> = [{ clientId: 1, input: { op: 'get', key: 'x' }, call: 5, return: 4, output: { op: 'get', value: null } }]
    assert.throws(() => checkLinearizability(kvModel, backwards), /return time/)
    assert.throws(() => checkLinearizability(kvModel, [], { maxSteps: 0 }), /maxSteps/)
  })
})
