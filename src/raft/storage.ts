// Raft log storage, split as in etcd-io/raft: the core only reads (RaftLogReader), the driver
// writes (RaftStorage.save) after the core hands out a Ready. Implementations: memory (tests,
// simulation) and SQLite; both pass test/raft/storage/storage-compliance.ts.
//
// All methods are synchronous: better-sqlite3 is synchronous, and a synchronous storage keeps
// the core and the simulation deterministic.

import type { ConfState, Entry, HardState, Snapshot } from './types.js'

/**
 * What one entry adds to a message besides its data, at most, in the wire encoding
 * (p2p/raft-transport/raft.proto): the entry's field tag and length (1 + 5), its term and index
 * (1 + 8 each: a varint of a safe integer), its type (1 + 1), and its data's tag and length
 * (1 + 5). Lengths take 5 varint bytes only from 256 MiB; below that the overhead is 30.
 * Counting it, as etcd counts ent.Size(), is what keeps empty entries (leader no-ops, a peer's
 * burst of empty proposals) from being free: a size cap on data alone lets one message carry
 * any number of them, and a message over the transport's limit is never sent, so the follower
 * would never catch up.
 */
export const ENTRY_OVERHEAD_BYTES = 32

/** the bytes an entry counts for in a message's size cap */
export function entrySizeBytes (e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES
}

/** the bytes entries count for together in a message's size cap */
export function entriesSizeBytes (ents: readonly Entry[]): number {
  let sizeBytes = 0
  for (const e of ents) sizeBytes += entrySizeBytes(e)
  return sizeBytes
}

/**
 * Appends to `taken` the entries of `more`, in order, while all of `taken` stays within
 * maxSizeBytes, and returns `taken`. It always holds at least one entry, so a single entry
 * over the cap still makes progress. `more` is read lazily and left at the first entry
 * that does not fit, so a database cursor reads no further; what is already in `taken`
 * counts, so entries from two sources (storage, then the unstable tail) share one cap.
 */
export function takeWithinSize (taken: Entry[], more: Iterable<Entry>, maxSizeBytes: number): Entry[] {
  let sizeBytes = entriesSizeBytes(taken)
  for (const e of more) {
    sizeBytes += entrySizeBytes(e)
    if (taken.length > 0 && sizeBytes > maxSizeBytes) break
    taken.push(e)
  }
  return taken
}

export interface InitialState {
  readonly hardState: HardState
  readonly confState: ConfState
}

export interface RaftLogReader {
  initialState (): InitialState
  /** entries in [lo, hi), at least one if lo < hi, capped at maxSizeBytes (sum of entrySizeBytes) */
  entries (lo: number, hi: number, maxSizeBytes?: number): Entry[]
  /** term of the entry at index; index firstIndex()-1 answers the snapshot's term.
   * Throws RaftStorageError 'compacted' below that, 'unavailable' past lastIndex(). */
  term (index: number): number
  /** index of the first entry still in the log: compaction point + 1 (a snapshot alone keeps the
   * entries it covers, as in etcd, so lagging followers can still be served from the log) */
  firstIndex (): number
  lastIndex (): number
  snapshot (): Snapshot
}

export interface SaveBatch {
  readonly hardState?: HardState
  /** appended after truncating any existing entries at or after entries[0].index */
  readonly entries: readonly Entry[]
  /** replaces the log up to snapshot.metadata.index */
  readonly snapshot?: Snapshot
}

export interface RaftStorage extends RaftLogReader {
  /** one atomic transaction; when it returns the batch is durable */
  save (batch: SaveBatch): void
  /** record a snapshot of the applied state at index (≤ applied); entries are kept until compact() */
  createSnapshot (index: number, confState: ConfState, data: Uint8Array): Snapshot
  /** drop log entries with index ≤ compactIndex (must be ≤ the snapshot index) */
  compact (compactIndex: number): void
  close (): void
}

export type RaftStorageErrorKind = 'compacted' | 'unavailable' | 'snapshotOutOfDate'

export class RaftStorageError extends Error {
  constructor (readonly kind: RaftStorageErrorKind, message: string) {
    super(message)
    this.name = 'RaftStorageError'
  }
}
