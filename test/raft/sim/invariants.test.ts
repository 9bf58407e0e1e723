// Checks the simulation's invariant checkers on hand-built states, independent of any Raft
// core: each rule is fed a legal history (must stay silent) and a planted violation (must throw
// an InvariantViolation naming that rule). A checker that cannot fail here proves nothing later.
import { strict as assert } from 'node:assert'
import type { Entry, HardState, Message } from '../../../src/raft/types.js'
import {
  AcknowledgedWriteChecker, CommittedLogChecker, ElectionSafetyChecker, HardStateChecker,
  InvariantViolation, LogMatchingChecker, checkPersistedBeforeSend, type AppliedView, type InvariantName, type LogView
} from '../../../src/raft/sim/invariants/index.js'

const enc = new TextEncoder()
const e = (index: number, term: number, data = `x${index}`): Entry => ({ index, term, type: 'normal', data: enc.encode(data) })

function throwsInvariant (name: InvariantName, fn: () => void): void {
  assert.throws(fn, (err: unknown) => err instanceof InvariantViolation && err.invariant === name)
}

function logView (snapshotIndex: number, snapshotTerm: number, entries: Entry[]): LogView {
  return {
    firstIndex: () => snapshotIndex + 1,
    lastIndex: () => snapshotIndex + entries.length,
    term: (i: number) => (i === snapshotIndex ? snapshotTerm : entries[i - snapshotIndex - 1]!.term)
  }
}

function msg (fields: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return { logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...fields }
}

describe('raft sim invariant checkers', () => {
  it('election safety: one leader per term is fine, two leaders in one term are caught', () => {
    const c = new ElectionSafetyChecker()
    c.observeLeader(1, 'n1'); c.observeLeader(1, 'n1'); c.observeLeader(2, 'n2')
    throwsInvariant('election-safety', () => c.observeLeader(2, 'n3'))
  })

  it('log matching: equal logs and a longer log are fine, divergent logs are caught', () => {
    const c = new LogMatchingChecker()
    c.observeEntries('n1', 0, [e(1, 1), e(2, 1), e(3, 2)])
    c.observeEntries('n2', 0, [e(1, 1), e(2, 1)])
    c.observeEntries('n3', 1, [e(2, 1), e(3, 2), e(4, 2)])
    // same (index, term), different payload
    throwsInvariant('log-matching', () => c.observeEntries('n4', 1, [e(2, 1), e(3, 2, 'other')]))
    // same (index, term), different predecessor: the prefixes differ
    throwsInvariant('log-matching', () => c.observeEntries('n5', 2, [e(3, 2)]))
    // terms going down along one log
    throwsInvariant('log-matching', () => new LogMatchingChecker().observeEntries('n1', 0, [e(1, 2), e(2, 1)]))
  })

  it('state machine safety: the same entry applied everywhere is fine, two entries at one index are caught', () => {
    const c = new CommittedLogChecker()
    c.observeCommitted('n1', e(1, 1), 1, 'apply')
    c.observeCommitted('n2', e(1, 1), 2, 'commit')
    throwsInvariant('state-machine-safety', () => c.observeCommitted('n3', e(1, 2, 'y'), 2, 'apply'))
  })

  it('leader completeness: a later leader lacking a committed entry is caught', () => {
    const c = new CommittedLogChecker()
    c.observeCommitted('n1', e(1, 1), 1, 'commit')
    c.observeCommitted('n1', e(2, 1), 1, 'commit')
    // the leader of term 1 itself is not bound (commit observed in term 1, not earlier)
    c.checkLeader('n2', 1, logView(0, 0, [e(1, 1)]))
    // later leaders with the entries (or a snapshot past them) pass
    c.checkLeader('n2', 2, logView(0, 0, [e(1, 1), e(2, 1), e(3, 2)]))
    c.checkLeader('n3', 3, logView(2, 1, [e(3, 2)]))
    throwsInvariant('leader-completeness', () => c.checkLeader('n4', 4, logView(0, 0, [e(1, 1)])))
    throwsInvariant('leader-completeness', () => c.checkLeader('n5', 5, logView(0, 0, [e(1, 1), e(2, 3)])))
  })

  it('hard state: term or commit going backwards and a second vote in a term are caught', () => {
    const hs = (term: number, vote: string, commit: number): HardState => ({ term, vote, commit })
    const c = new HardStateChecker()
    c.observe('n1', hs(1, '', 0)); c.observe('n1', hs(1, 'n2', 0)); c.observe('n1', hs(2, '', 3)); c.observe('n1', hs(2, 'n3', 4))
    throwsInvariant('monotonic-term', () => c.observe('n1', hs(1, 'n2', 4)))
    throwsInvariant('monotonic-commit', () => c.observe('n1', hs(2, 'n3', 2)))
    // a restart that forgot the vote, then a vote for someone else
    throwsInvariant('one-vote-per-term', () => c.observe('n1', hs(2, '', 4)))
    // a vote switched to another candidate in the same term
    const d = new HardStateChecker()
    d.observe('n1', hs(5, 'n2', 0))
    throwsInvariant('one-vote-per-term', () => d.observe('n1', hs(5, 'n3', 0)))
  })

  it('persist before send: a vote or append ack ahead of durable state is caught', () => {
    const durable = { hardState: (): HardState => ({ term: 3, vote: 'n2', commit: 1 }), lastIndex: () => 5 }
    checkPersistedBeforeSend(msg({ type: 'MsgVoteResp', from: 'n1', to: 'n2', term: 3 }), durable)
    checkPersistedBeforeSend(msg({ type: 'MsgAppResp', from: 'n1', to: 'n2', term: 3, index: 5 }), durable)
    checkPersistedBeforeSend(msg({ type: 'MsgPreVote', from: 'n1', to: 'n2', term: 4 }), durable)
    throwsInvariant('persist-before-send', () => checkPersistedBeforeSend(msg({ type: 'MsgVoteResp', from: 'n1', to: 'n3', term: 3 }), durable))
    throwsInvariant('persist-before-send', () => checkPersistedBeforeSend(msg({ type: 'MsgAppResp', from: 'n1', to: 'n2', term: 3, index: 6 }), durable))
    throwsInvariant('persist-before-send', () => checkPersistedBeforeSend(msg({ type: 'MsgHeartbeatResp', from: 'n1', to: 'n2', term: 4 }), durable))
  })

  it('acknowledged writes: a state machine past the ack without the write is caught, also when the ack comes later', () => {
    const view = (key: string, applied: number, ops: Record<string, number>): AppliedView =>
      ({ key, node: key, appliedIndex: () => applied, indexOf: (op: string) => ops[op] })
    const c = new AcknowledgedWriteChecker()
    const good = view('n1#1', 4, { a: 2, b: 4 })
    c.observeAck({ opId: 'a', index: 2, term: 1 }, [good])
    c.checkView(good)
    // a restarted n2 that replayed only to 3 and a lagging n3 are fine
    c.checkView(view('n2#2', 3, { a: 2 })); c.checkView(view('n3#1', 1, {}))
    throwsInvariant('acknowledged-write-lost', () => c.checkView(view('n4#1', 2, {})))
    // n1 already passed index 4 when the ack for b arrives: checked at once
    const lost = view('n5#1', 6, { a: 2 })
    const d = new AcknowledgedWriteChecker()
    d.checkView(lost)
    throwsInvariant('acknowledged-write-lost', () => d.observeAck({ opId: 'b', index: 4, term: 1 }, [lost]))
  })
})
