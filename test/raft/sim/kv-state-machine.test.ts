// Checks the simulation's key-value state machine: put / append semantics, a re-sent copy of a
// proposal skipped through the proposal window, an operation applied twice crashing the run
// (the simulation's check that the window works), and snapshot / restore reproducing the state,
// the applied-operations table and the window byte for byte, as the cross-node check relies on.
import { strict as assert } from 'node:assert'
import { KvStateMachine, encodeKvCommand, type KvCommand } from '../../../src/raft/sim/kv-state-machine.js'
import { SkippedProposal, type ProposalTag } from '../../../src/raft/proposal-window.js'
import type { Entry } from '../../../src/raft/types.js'
import { AssertionFailure } from '../../../src/util/assert.js'

const tag = (id: string, proposedAt = 0): ProposalTag => ({ id, proposedAt })
const entry = (index: number, cmd: KvCommand, proposal: ProposalTag | undefined = tag(`p-${cmd.id}`)): [Entry, Uint8Array, ProposalTag | undefined] => {
  const data = encodeKvCommand(cmd)
  return [{ index, term: 1, type: 'normal', data }, data, proposal]
}

describe('raft sim kv state machine', () => {
  it('applies put and append, and skips a re-sent copy of a proposal', () => {
    const sm = new KvStateMachine()
    sm.apply(...entry(1, { id: 'a', input: { op: 'put', key: 'k', value: 'x' } }))
    sm.apply(...entry(2, { id: 'b', input: { op: 'append', key: 'k', value: '1,' } }))
    const dup = sm.apply(...entry(3, { id: 'b', input: { op: 'append', key: 'k', value: '1,' } }))
    assert.equal(sm.get('k'), 'x1,')
    assert.equal(sm.get('other'), null)
    assert.deepEqual(dup, new SkippedProposal('duplicate'))
    assert.equal(sm.indexOf('b'), 2)
    assert.equal(sm.appliedIndex(), 3)
    assert.throws(() => sm.apply(...entry(3, { id: 'c', input: { op: 'put', key: 'k', value: 'y' } })), /in order/)
  })

  it('crashes when one operation would take effect twice (a window that let a copy through)', () => {
    const sm = new KvStateMachine()
    sm.apply(...entry(1, { id: 'a', input: { op: 'append', key: 'k', value: '1,' } }, tag('first')))
    assert.throws(() => sm.apply(...entry(2, { id: 'a', input: { op: 'append', key: 'k', value: '1,' } }, tag('second'))),
      (err: unknown) => err instanceof AssertionFailure && /takes effect once/.test(err.message))
  })

  it('snapshots canonically and restores the data, the applied-operations table and the window', () => {
    const a = new KvStateMachine()
    const b = new KvStateMachine()
    a.apply(...entry(1, { id: 'a', input: { op: 'put', key: 'k2', value: 'x' } }))
    a.apply(...entry(2, { id: 'b', input: { op: 'put', key: 'k1', value: 'y' } }))
    b.restore(a.snapshot(), 2)
    assert.deepEqual(b.snapshot(), a.snapshot())
    assert.equal(b.get('k1'), 'y')
    assert.equal(b.indexOf('a'), 1)
    assert.equal(b.appliedIndex(), 2)
    assert.deepEqual(b.apply(...entry(3, { id: 'b', input: { op: 'put', key: 'k1', value: 'y' } })), new SkippedProposal('duplicate'))
    b.restore(new Uint8Array(0), 0)
    assert.equal(b.get('k1'), null)
  })
})
