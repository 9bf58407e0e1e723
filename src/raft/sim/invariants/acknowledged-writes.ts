// No write acknowledged to a client is ever lost: once a proposal resolved with "applied at
// index i", every state machine that has applied up to i or beyond (now or after any crash,
// restart or snapshot install) must hold that write at index i. The state machines record
// which operation they applied where (and carry that table in their snapshots), so a node that
// caught up by snapshot is checked too. Acknowledged entries also enter the committed registry,
// which makes every later leader's log answer for them (leader completeness).
//
// Cost stays linear: acks are kept sorted by index and each state machine is checked only over
// the range its applied index advanced by since the last check.

import type { NodeId } from '../../types.js'
import { violation } from './violation.js'

export interface Ack {
  readonly opId: string
  readonly index: number
  readonly term: number
}

export interface AppliedView {
  /** node id plus incarnation: a restarted node is a new view with a fresh cursor */
  readonly key: string
  readonly node: NodeId
  appliedIndex (): number
  /** where this state machine applied the operation, undefined if it has not */
  indexOf (opId: string): number | undefined
}

export class AcknowledgedWriteChecker {
  private readonly acks: Ack[] = []
  private readonly byIndex = new Map<number, Ack>()
  private readonly checkedUpTo = new Map<string, number>()

  observeAck (ack: Ack, views: Iterable<AppliedView>): void {
    const known = this.byIndex.get(ack.index)
    if (known !== undefined && known.opId !== ack.opId) {
      violation('acknowledged-write-lost', `index ${ack.index} acknowledged for two writes: ${known.opId} and ${ack.opId}`, { index: ack.index })
    }
    if (known !== undefined) return
    this.byIndex.set(ack.index, ack)
    let at = this.acks.length
    while (at > 0 && this.acks[at - 1]!.index > ack.index) at--
    this.acks.splice(at, 0, ack)
    // views that already moved past this index were checked without it
    for (const view of views) {
      if ((this.checkedUpTo.get(view.key) ?? 0) >= ack.index) this.checkOne(view, ack)
    }
  }

  checkView (view: AppliedView): void {
    const from = this.checkedUpTo.get(view.key) ?? 0
    const to = view.appliedIndex()
    if (to <= from) return
    for (let i = this.lowerBound(from + 1); i < this.acks.length && this.acks[i]!.index <= to; i++) this.checkOne(view, this.acks[i]!)
    this.checkedUpTo.set(view.key, to)
  }

  get count (): number {
    return this.acks.length
  }

  private checkOne (view: AppliedView, ack: Ack): void {
    const at = view.indexOf(ack.opId)
    if (at !== ack.index) {
      violation('acknowledged-write-lost', `${view.node} applied up to ${view.appliedIndex()} but ${at === undefined ? 'lacks' : `has at index ${at}`} write ${ack.opId}, acknowledged at index ${ack.index} term ${ack.term}`, { node: view.node, opId: ack.opId, index: ack.index })
    }
  }

  private lowerBound (index: number): number {
    let lo = 0; let hi = this.acks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.acks[mid]!.index < index) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
