// In-memory RaftStorage for tests and the simulator (etcd-io/raft's MemoryStorage). save()
// returning counts as "durable": a simulated crash keeps this object and builds a new core and
// driver over it, so whatever was saved survives and whatever was not is lost.
//
// Layout as in etcd: ents[0] is a dummy entry at the compaction point (its index and term answer
// term(firstIndex - 1)); real entries follow. The snapshot is kept beside the log: it may be newer
// than the compaction point, so a leader can keep some entries for followers that lag a little.

import { assert } from '../../util/assert.js'
import { RaftStorageError, takeWithinSize } from '../storage.js'
import type { InitialState, RaftStorage, SaveBatch } from '../storage.js'
import type { ConfState, Entry, HardState, Snapshot } from '../types.js'

const EMPTY_CONF: ConfState = { voters: [], learners: [] }
const NO_DATA = new Uint8Array(0)

export class MemoryRaftStorage implements RaftStorage {
  private hardState: HardState = { term: 0, vote: '', commit: 0 }
  private snap: Snapshot
  private ents: Entry[]
  private closed = false
  /** how many save() calls returned; lets tests and the simulator observe durability points */
  saveCount = 0

  /** `confState` bootstraps a new cluster: it is the configuration of the empty snapshot at index 0 */
  constructor (confState: ConfState = EMPTY_CONF) {
    this.snap = { metadata: { index: 0, term: 0, confState: copyConf(confState) }, data: NO_DATA }
    this.ents = [dummy(0, 0)]
  }

  /** the configuration is the snapshot's: later conf changes are in the log, and the core
   * replays those up to its applied index when it starts */
  initialState (): InitialState {
    this.assertOpen()
    return { hardState: this.hardState, confState: this.snap.metadata.confState }
  }

  entries (lo: number, hi: number, maxSizeBytes = Infinity): Entry[] {
    this.assertOpen()
    const offset = this.ents[0]!.index
    if (lo <= offset) throw new RaftStorageError('compacted', `entries from ${lo}: compacted up to ${offset}`)
    if (hi > this.lastIndex() + 1) throw new RaftStorageError('unavailable', `entries up to ${hi - 1}: last index is ${this.lastIndex()}`)
    assert(lo <= hi, 'entries range must not be reversed', { lo, hi })
    return takeWithinSize([], this.range(lo - offset, hi - offset), maxSizeBytes)
  }

  /** lazily, so a small cap on a long log does not copy the whole range */
  private * range (from: number, to: number): Generator<Entry> {
    for (let i = from; i < to; i++) yield this.ents[i]!
  }

  term (index: number): number {
    this.assertOpen()
    const offset = this.ents[0]!.index
    if (index < offset) throw new RaftStorageError('compacted', `term of ${index}: compacted up to ${offset}`)
    if (index > this.lastIndex()) throw new RaftStorageError('unavailable', `term of ${index}: last index is ${this.lastIndex()}`)
    return this.ents[index - offset]!.term
  }

  firstIndex (): number {
    return this.ents[0]!.index + 1
  }

  lastIndex (): number {
    return this.ents[0]!.index + this.ents.length - 1
  }

  snapshot (): Snapshot {
    this.assertOpen()
    return this.snap
  }

  save (batch: SaveBatch): void {
    this.assertOpen()
    // validate everything first so a rejected batch changes nothing (one transaction)
    const snap = batch.snapshot
    if (snap !== undefined && snap.metadata.index <= this.snap.metadata.index) {
      throw new RaftStorageError('snapshotOutOfDate', `snapshot ${snap.metadata.index} is not newer than ${this.snap.metadata.index}`)
    }
    const base = snap === undefined ? this.lastIndex() : snap.metadata.index
    const first = batch.entries[0]
    if (first !== undefined) {
      assert(first.index <= base + 1, 'appended entries must not leave a gap in the log', { first: first.index, lastIndex: base })
      batch.entries.forEach((e, i) => assert(e.index === first.index + i, 'appended entries must be contiguous', { at: i, index: e.index, first: first.index }))
    }
    if (batch.hardState !== undefined) {
      assert(batch.hardState.term >= this.hardState.term, 'term never decreases', { saved: this.hardState, batch: batch.hardState })
      assert(batch.hardState.commit >= this.hardState.commit, 'the commit index never decreases', { saved: this.hardState, batch: batch.hardState })
      const lastAfter = batch.entries[batch.entries.length - 1]?.index ?? base
      assert(batch.hardState.commit <= lastAfter, 'commit index past the last log index', { hardState: batch.hardState, lastAfter })
    }

    if (snap !== undefined) {
      // §7: a follower that installs a snapshot discards its whole log (etcd's ApplySnapshot)
      this.snap = snap
      this.ents = [dummy(snap.metadata.index, snap.metadata.term)]
    }
    if (first !== undefined) {
      const offset = this.ents[0]!.index
      const fresh = batch.entries.filter(e => e.index > offset) // the compacted part is already covered
      const from = fresh[0]?.index
      if (snap === undefined && from !== undefined && from <= this.lastIndex()) {
        assert(from > this.hardState.commit, 'committed entries are never replaced', { from, commit: this.hardState.commit, lastIndex: this.lastIndex() })
      }
      // truncate any existing entries at or after the first new one (a conflicting suffix, §5.3)
      if (from !== undefined) this.ents = this.ents.slice(0, from - offset).concat(fresh)
    }
    if (batch.hardState !== undefined) this.hardState = batch.hardState
    this.saveCount++
  }

  createSnapshot (index: number, confState: ConfState, data: Uint8Array): Snapshot {
    this.assertOpen()
    if (index <= this.snap.metadata.index) {
      throw new RaftStorageError('snapshotOutOfDate', `snapshot at ${index} is not newer than ${this.snap.metadata.index}`)
    }
    assert(index <= this.lastIndex(), 'snapshot index must be in the log', { index, lastIndex: this.lastIndex() })
    assert(index <= this.hardState.commit, 'only committed state can be snapshotted', { index, commit: this.hardState.commit })
    this.snap = { metadata: { index, term: this.term(index), confState: copyConf(confState) }, data }
    return this.snap
  }

  compact (compactIndex: number): void {
    this.assertOpen()
    const offset = this.ents[0]!.index
    if (compactIndex <= offset) return // already compacted
    assert(compactIndex <= this.snap.metadata.index, 'cannot compact past the snapshot index', { compactIndex, snapshotIndex: this.snap.metadata.index })
    const term = this.term(compactIndex)
    this.ents = [dummy(compactIndex, term), ...this.ents.slice(compactIndex - offset + 1)]
  }

  close (): void {
    this.closed = true
  }

  private assertOpen (): void {
    assert(!this.closed, 'memory storage used after close()')
  }
}

function dummy (index: number, term: number): Entry {
  return { index, term, type: 'normal', data: NO_DATA }
}

function copyConf (c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] }
}
