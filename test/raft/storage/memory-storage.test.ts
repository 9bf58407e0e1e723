// MemoryRaftStorage specifics beyond the shared compliance suite: etcd's MemoryStorage layout
// (a dummy entry at the compaction point), a snapshot that may be newer than the compaction
// point, error kinds for compacted and unavailable ranges, conflicting-suffix truncation on
// save (§5.3), InstallSnapshot replacing the log (§7), and validation before mutation.
import { strict as assert } from 'node:assert'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import { RaftStorageError } from '../../../src/raft/storage.js'
import type { Entry } from '../../../src/raft/types.js'
import { AssertionFailure } from '../../../src/util/assert.js'

const conf = { voters: ['n1', 'n2', 'n3'], learners: [] }
const ent = (index: number, term: number, bytes = 0): Entry => ({ index, term, type: 'normal', data: new Uint8Array(bytes) })
const kind = (k: string) => (err: unknown): boolean => err instanceof RaftStorageError && err.kind === k

function filled (): MemoryRaftStorage {
  const s = new MemoryRaftStorage(conf)
  s.save({ entries: [1, 2, 3, 4, 5].map(i => ent(i, i <= 2 ? 1 : 2, 10)), hardState: { term: 2, vote: 'n1', commit: 5 } })
  return s
}

describe('memory raft storage', () => {
  it('§4.1: bootstraps with the given configuration at an empty snapshot (index 0, term 0)', () => {
    const s = new MemoryRaftStorage(conf)
    assert.deepEqual(s.initialState(), { hardState: { term: 0, vote: '', commit: 0 }, confState: conf })
    assert.equal(s.firstIndex(), 1)
    assert.equal(s.lastIndex(), 0)
    assert.equal(s.term(0), 0)
  })

  it('§5.3 / §7: answers terms and ranges, with compacted / unavailable errors outside the log', () => {
    const s = filled()
    s.createSnapshot(3, conf, new Uint8Array([1]))
    s.compact(2)
    assert.equal(s.firstIndex(), 3)
    assert.equal(s.term(2), 1, 'the compaction point still answers its term')
    assert.throws(() => s.term(1), kind('compacted'))
    assert.throws(() => s.term(6), kind('unavailable'))
    assert.throws(() => s.entries(2, 4), kind('compacted'))
    assert.throws(() => s.entries(3, 7), kind('unavailable'))
    assert.deepEqual(s.entries(3, 6).map(e => e.index), [3, 4, 5])
    assert.deepEqual(s.entries(3, 6, 15).map(e => e.index), [3], 'size cap')
    assert.deepEqual(s.entries(3, 6, 1).map(e => e.index), [3], 'always at least one')
  })

  it('§5.3: saving entries truncates a conflicting (uncommitted) suffix', () => {
    const s = new MemoryRaftStorage(conf)
    s.save({ entries: [1, 2, 3, 4, 5].map(i => ent(i, i <= 2 ? 1 : 2, 10)), hardState: { term: 2, vote: 'n1', commit: 2 } })
    s.save({ entries: [ent(4, 3), ent(5, 3), ent(6, 3)] })
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(i => s.term(i)), [1, 1, 2, 3, 3, 3])
    s.save({ entries: [ent(3, 4)] })
    assert.equal(s.lastIndex(), 3)
  })

  it('§7: a snapshot is kept beside the log; compaction is separate and never passes it', () => {
    const s = filled()
    const snap = s.createSnapshot(4, conf, new Uint8Array([9]))
    assert.deepEqual(snap.metadata, { index: 4, term: 2, confState: conf })
    assert.equal(s.firstIndex(), 1, 'creating a snapshot does not drop entries')
    assert.throws(() => s.compact(5), AssertionFailure)
    s.compact(4)
    assert.equal(s.firstIndex(), 5)
    assert.throws(() => s.createSnapshot(4, conf, new Uint8Array()), kind('snapshotOutOfDate'))
  })

  it('§7: saving a snapshot (InstallSnapshot) replaces the whole log; entries in the same batch follow it', () => {
    const s = filled()
    const snapshot = { metadata: { index: 10, term: 5, confState: { voters: ['n1'], learners: [] } }, data: new Uint8Array([7]) }
    s.save({ snapshot, entries: [ent(11, 5)], hardState: { term: 5, vote: '', commit: 10 } })
    assert.equal(s.firstIndex(), 11)
    assert.equal(s.lastIndex(), 11)
    assert.equal(s.term(10), 5)
    assert.deepEqual(s.initialState().confState, { voters: ['n1'], learners: [] })
    assert.throws(() => s.save({ snapshot, entries: [] }), kind('snapshotOutOfDate'))
  })

  it('§5 Figure 2 (persistent state): validates a batch before changing anything, and counts durable saves', () => {
    const s = filled()
    const before = s.saveCount
    assert.throws(() => s.save({ entries: [ent(8, 2)], hardState: { term: 9, vote: '', commit: 5 } }), AssertionFailure) // gap
    assert.equal(s.lastIndex(), 5)
    assert.equal(s.initialState().hardState.term, 2)
    assert.equal(s.saveCount, before)
    assert.throws(() => s.save({ entries: [], hardState: { term: 2, vote: '', commit: 6 } }), AssertionFailure) // commit past the log
    s.save({ entries: [ent(6, 2)] })
    assert.equal(s.saveCount, before + 1)
  })
})
