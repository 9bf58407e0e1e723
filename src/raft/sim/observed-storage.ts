// A RaftStorage that passes everything through to the node's durable MemoryRaftStorage and
// tells the simulator what became durable, batch by batch. Checking each batch as it lands
// (rather than rescanning every log after every event) keeps log-matching, commit and
// snapshot checks linear in what changed. It adds no behaviour: the driver sees the same
// answers the memory storage gives.

import type { RaftStorage, SaveBatch, InitialState } from '../storage.js'
import type { MemoryRaftStorage } from '../storage/memory-storage.js'
import type { ConfState, Entry, Snapshot } from '../types.js'

export interface StorageObserver {
  /** after a batch is durable */
  saved (batch: SaveBatch): void
  /** after the driver recorded a snapshot of its applied state */
  snapshotCreated (snapshot: Snapshot): void
}

export class ObservedStorage implements RaftStorage {
  constructor (readonly durable: MemoryRaftStorage, private readonly observer: StorageObserver) {}

  initialState (): InitialState { return this.durable.initialState() }
  entries (lo: number, hi: number, maxSizeBytes?: number): Entry[] { return this.durable.entries(lo, hi, maxSizeBytes) }
  term (index: number): number { return this.durable.term(index) }
  firstIndex (): number { return this.durable.firstIndex() }
  lastIndex (): number { return this.durable.lastIndex() }
  snapshot (): Snapshot { return this.durable.snapshot() }

  save (batch: SaveBatch): void {
    this.durable.save(batch)
    this.observer.saved(batch)
  }

  createSnapshot (index: number, confState: ConfState, data: Uint8Array): Snapshot {
    const snap = this.durable.createSnapshot(index, confState, data)
    this.observer.snapshotCreated(snap)
    return snap
  }

  compact (compactIndex: number): void { this.durable.compact(compactIndex) }

  /** the durable object outlives this view: a crash drops the view, a restart makes a new one */
  close (): void {}
}
