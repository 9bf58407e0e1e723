// Checks the simulation's key-value state machine: put / append semantics, a duplicated
// command taking effect once (client sessions), and snapshot / restore reproducing the state
// and the applied-operations table byte for byte, as the cross-node snapshot check relies on.
import { strict as assert } from 'node:assert'
import { KvStateMachine, encodeKvCommand, type KvCommand } from '../../../src/raft/sim/kv-state-machine.js'
import type { Entry } from '../../../src/raft/types.js'

const entry = (index: number, cmd: KvCommand): [Entry, Uint8Array] => {
  const data = encodeKvCommand(cmd)
  return [{ index, term: 1, type: 'normal', data }, data]
}

describe('raft sim kv state machine', () => {
  it('applies put and append, and a duplicate command once', () => {
    const sm = new KvStateMachine()
    sm.apply(...entry(1, { id: 'a', input: { op: 'put', key: 'k', value: 'x' } }))
    sm.apply(...entry(2, { id: 'b', input: { op: 'append', key: 'k', value: '1,' } }))
    const dup = sm.apply(...entry(3, { id: 'b', input: { op: 'append', key: 'k', value: '1,' } }))
    assert.equal(sm.get('k'), 'x1,')
    assert.equal(sm.get('other'), null)
    assert.deepEqual(dup, { index: 2, term: 1, output: { op: 'append' } })
    assert.equal(sm.indexOf('b'), 2)
    assert.equal(sm.appliedIndex(), 3)
    assert.throws(() => sm.apply(...entry(3, { id: 'c', input: { op: 'put', key: 'k', value: 'y' } })), /in order/)
  })

  it('snapshots canonically and restores the data and the applied-operations table', () => {
    const a = new KvStateMachine()
    const b = new KvStateMachine()
    a.apply(...entry(1, { id: 'a', input: { op: 'put', key: 'k2', value: 'x' } }))
    a.apply(...entry(2, { id: 'b', input: { op: 'put', key: 'k1', value: 'y' } }))
    b.restore(a.snapshot(), 2)
    assert.deepEqual(b.snapshot(), a.snapshot())
    assert.equal(b.get('k1'), 'y')
    assert.equal(b.indexOf('a'), 1)
    assert.equal(b.appliedIndex(), 2)
    b.restore(new Uint8Array(0), 0)
    assert.equal(b.get('k1'), null)
  })
})
