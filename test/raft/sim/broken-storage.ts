// Deliberately broken disks for the "the simulation can fail" tests. Each wraps the storage
// the simulator gives a node and breaks one durability promise the driver contract relies on.

import type { RaftStorage, SaveBatch, InitialState } from '../../../src/raft/storage.js'
import type { StorageWrapper } from '../../../src/raft/sim/index.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { ConfState, Entry, Snapshot } from '../../../src/raft/types.js'

/**
 * Forgets the vote on restart: the term survives, the vote does not. A restarted node can then
 * vote for a second candidate in a term it already voted in: the classic double-vote bug.
 */
export const forgetVoteOnRestart: StorageWrapper = (storage, _node, incarnation) => {
  if (incarnation === 1) return storage
  const forgetful = Object.create(storage) as RaftStorage
  forgetful.initialState = (): InitialState => {
    const s = storage.initialState()
    return { ...s, hardState: { ...s.hardState, vote: '' } }
  }
  return forgetful
}

type Op = { kind: 'save', batch: SaveBatch } | { kind: 'snapshot', index: number, confState: ConfState, data: Uint8Array } | { kind: 'compact', index: number }

/**
 * Answers save() before the data is durable, as a disk without fsync does: the node works on
 * an in-memory copy and each operation reaches the real (durable) storage only when the next
 * one arrives. A crash loses the last operation, after its messages (votes, append
 * acknowledgements) were already sent: persist-before-send broken.
 */
export const lagOneWrite: StorageWrapper = (durable) => {
  const work = clone(durable)
  let pending: Op | undefined
  const push = (op: Op): void => {
    if (pending !== undefined) replay(durable, pending)
    pending = op
  }
  return {
    initialState: () => work.initialState(),
    entries: (lo: number, hi: number, max?: number): Entry[] => work.entries(lo, hi, max),
    term: (i: number) => work.term(i),
    firstIndex: () => work.firstIndex(),
    lastIndex: () => work.lastIndex(),
    snapshot: () => work.snapshot(),
    save (batch: SaveBatch): void { work.save(batch); push({ kind: 'save', batch }) },
    createSnapshot (index: number, confState: ConfState, data: Uint8Array): Snapshot {
      const snap = work.createSnapshot(index, confState, data)
      push({ kind: 'snapshot', index, confState, data })
      return snap
    },
    compact (index: number): void { work.compact(index); push({ kind: 'compact', index }) },
    close: () => {}
  }
}

function replay (durable: RaftStorage, op: Op): void {
  if (op.kind === 'save') durable.save(op.batch)
  else if (op.kind === 'snapshot') durable.createSnapshot(op.index, op.confState, op.data)
  else durable.compact(op.index)
}

function clone (s: RaftStorage): MemoryRaftStorage {
  const snap = s.snapshot()
  const copy = new MemoryRaftStorage(snap.metadata.confState)
  // entries older than the snapshot (kept for lagging followers) are not copied: a leader
  // then sends a snapshot a little sooner, nothing more
  if (snap.metadata.index > 0) copy.save({ entries: [], snapshot: snap })
  const first = s.firstIndex()
  const last = s.lastIndex()
  const entries = last >= first ? s.entries(first, last + 1) : []
  copy.save({ entries: entries.filter(e => e.index > snap.metadata.index), hardState: s.initialState().hardState })
  return copy
}
