// A proposal takes effect at most once, even when the driver sends it again (Raft thesis §6.3,
// client sessions, reduced to what a re-send needs). A proposal forwarded to a leader that
// then dies is lost, or is in the new leader's log and will still commit: the proposer cannot
// tell which. So when the leader changes, the driver proposes the same entry again, and the
// state machine skips a copy whose proposal it already applied.
//
// Each proposal is tagged with its id and `proposedAt`, the proposer's applied index when it
// first proposed it. Every entry appended after that lands above it (committed entries are in
// every later leader's log), so a copy at index i with i - proposedAt > WINDOW is not applied
// ('expired'), and an id can be forgotten once the applied index is WINDOW past its proposedAt:
// no copy of it can take effect any more. That keeps the table of applied ids to at most
// WINDOW rows, and every verdict depends only on the log, so every replica reaches the same one.
// The table must change in the same durable step as the state it guards and travel in
// snapshots; otherwise a replica that restarted or caught up would apply a copy others skip.
//
// The proposer, for its part, knows the outcome of a proposal still waiting when one of its
// copies is skipped: 'expired' means it was never applied (had it been, this node would have
// applied it first and answered it), so the write may be retried as a new proposal.

import { assert } from '../util/assert.js'

/** log entries after its proposedAt within which a proposal may still take effect */
export const PROPOSAL_WINDOW_ENTRIES = 10_000

/**
 * A tag's id is printable ASCII without quote or backslash, at most this long: the table of
 * applied ids travels in snapshots, so what it adds to one must be bounded (a driver's ids are
 * a peer id, its incarnation and two counters, under 150 bytes).
 */
export const MAX_TAG_ID_BYTES = 192
const TAG_ID = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** the most the table of applied ids adds to a snapshot's JSON: `["id",proposedAt],` per row */
export const MAX_PROPOSAL_TABLE_JSON_BYTES = PROPOSAL_WINDOW_ENTRIES * (MAX_TAG_ID_BYTES + 2 + 16 + 4) + 2

export function isTagId (id: string): boolean {
  return id.length <= MAX_TAG_ID_BYTES && TAG_ID.test(id)
}

export interface ProposalTag {
  readonly id: string
  /** the proposer's applied index when it first proposed */
  readonly proposedAt: number
}

export type ProposalVerdict = 'apply' | 'duplicate' | 'expired'

/** what StateMachine.apply returns for a proposal it did not apply */
export class SkippedProposal {
  constructor (readonly reason: Exclude<ProposalVerdict, 'apply'>) {}
}

/**
 * The verdict for a copy of `tag` committed at `index`, given whether its id was applied (and
 * not yet forgotten). A tag that claims to be proposed at or after its own index cannot come
 * from a driver (see above) and is refused too, or its id would never be forgotten.
 */
export function judgeProposal (index: number, tag: ProposalTag, applied: (id: string) => boolean, window = PROPOSAL_WINDOW_ENTRIES): ProposalVerdict {
  if (tag.proposedAt >= index || index - tag.proposedAt > window) return 'expired'
  return applied(tag.id) ? 'duplicate' : 'apply'
}

/** ids proposed before this may be forgotten once the entry at `index` is applied */
export function forgetProposedBefore (index: number, window = PROPOSAL_WINDOW_ENTRIES): number {
  return index - window
}

/** the table for state machines that keep their state in memory (snapshots carry `entries()`) */
export class ProposalWindow {
  private readonly applied = new Map<string, number>()

  constructor (private readonly window = PROPOSAL_WINDOW_ENTRIES) {
    assert(Number.isSafeInteger(window) && window > 0, 'the proposal window must be a positive integer', { window })
  }

  /** the verdict for a copy of `tag` at `index`, recording nothing */
  verdict (index: number, tag: ProposalTag): ProposalVerdict {
    return judgeProposal(index, tag, (id) => this.applied.has(id), this.window)
  }

  /**
   * For a state machine's apply(): the SkippedProposal to return for a copy not to apply, or
   * undefined to apply it (recorded). Untagged entries always apply.
   */
  admit (index: number, tag: ProposalTag | undefined): SkippedProposal | undefined {
    if (tag === undefined) return undefined
    const verdict = this.judge(index, tag)
    return verdict === 'apply' ? undefined : new SkippedProposal(verdict)
  }

  /** the verdict for a copy of `tag` applied at `index`; one that applies is recorded */
  judge (index: number, tag: ProposalTag): ProposalVerdict {
    const verdict = this.verdict(index, tag)
    if (verdict === 'apply') this.applied.set(tag.id, tag.proposedAt)
    // forgotten in batches; ids past their window never change a verdict (expiry comes first)
    if (this.applied.size > this.window + (this.window >> 2)) this.forget(index)
    return verdict
  }

  /** the ids still within their window as of `appliedIndex`, sorted: equal on every replica */
  entries (appliedIndex: number): Array<[string, number]> {
    this.forget(appliedIndex)
    return [...this.applied.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  restore (entries: ReadonlyArray<readonly [string, number]>): void {
    this.applied.clear()
    for (const [id, proposedAt] of entries) this.applied.set(id, proposedAt)
  }

  get size (): number {
    return this.applied.size
  }

  private forget (index: number): void {
    const before = forgetProposedBefore(index, this.window)
    for (const [id, proposedAt] of this.applied) if (proposedAt < before) this.applied.delete(id)
  }
}
