// Building a Ready (what the driver must persist, send and apply) and taking it back in advance().
// The contract (etcd's): persist hardState + entries + snapshot, then send messages, then apply
// the snapshot and committedEntries, then advance().

import { assert } from '../../util/assert.js'
import type { HardState, Ready, SoftState } from '../types.js'
import type { Raft } from './raft.js'

export class ReadyTracker {
  private prevSoft: SoftState
  private prevHard: HardState
  /** a Ready handed out and not yet advanced */
  private outstanding: Ready | undefined

  /** `durable` is the hard state in storage: anything the core changed at start-up (bootstrap)
   * differs from it and so goes into the first Ready to be persisted */
  constructor (private readonly r: Raft, durable: HardState) {
    this.prevSoft = { leader: '', role: 'follower' }
    this.prevHard = durable
  }

  hasReady (): boolean {
    const r = this.r
    if (this.outstanding !== undefined) return false
    if (!softEqual(softState(r), this.prevSoft)) return true
    if (!hardEqual(hardState(r), this.prevHard)) return true
    if (r.log.unstable.snapshot !== undefined) return true
    return r.msgs.length > 0 || r.log.unstable.entries.length > 0 || r.readStates.length > 0 || r.log.hasNextCommittedEntries()
  }

  ready (): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()')
    const r = this.r
    const soft = softState(r)
    const hard = hardState(r)
    const entries = r.log.unstableEntries()
    const hardChanged = !hardEqual(hard, this.prevHard)
    const rd: Ready = {
      ...(softEqual(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      ...(r.log.unstable.snapshot === undefined ? {} : { snapshot: r.log.unstable.snapshot }),
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      // votes and terms must be durable before any message that depends on them (§5.2 Figure 2)
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote
    }
    // committed entries must be in the log we persist in the same Ready
    assert(hard.commit <= r.log.lastIndex(), 'commit index past the last log index', { hard, ...r.log.describe() })
    r.msgs = []
    r.readStates = []
    this.prevSoft = soft
    this.prevHard = hard
    this.outstanding = rd
    return rd
  }

  advance (rd: Ready): void {
    assert(rd === this.outstanding, 'advance() must be given the last Ready')
    this.outstanding = undefined
    const r = this.r
    const lastEntry = rd.entries[rd.entries.length - 1]
    if (lastEntry !== undefined) r.log.stableTo(lastEntry.index, lastEntry.term)
    if (rd.snapshot !== undefined) r.log.stableSnapTo(rd.snapshot.metadata.index)
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1]
    const applied = lastCommitted?.index ?? rd.snapshot?.metadata.index
    if (applied !== undefined) {
      r.log.appliedTo(applied)
      r.reduceUncommittedSize(rd.committedEntries)
    }
  }
}

export function softState (r: Raft): SoftState {
  return { leader: r.lead, role: r.role }
}

export function hardState (r: Raft): HardState {
  return { term: r.term, vote: r.vote, commit: r.log.committed }
}

function softEqual (a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role
}

function hardEqual (a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}
