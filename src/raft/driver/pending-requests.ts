// Requests (proposals, conf changes, reads) waiting for their answer, each with a deadline in
// ticks. Bounded: over the limit new requests are refused rather than queued without end.

import { JadfsError } from '../../errors.js'
import { assert } from '../../util/assert.js'

export type RequestKind = 'proposal' | 'confChange' | 'read'

export interface PendingRequest {
  readonly kind: RequestKind
  readonly deadlineTick: number
  readonly resolve: (value: unknown) => void
  readonly reject: (err: Error) => void
  /** reads: the read index once the leader confirmed it (set through confirmRead) */
  readIndex?: number
  /** proposals and reads: hands the same request to the core again (after a leader change) */
  readonly resubmit?: () => void
  /** the leader and term it was last handed to the core under */
  submittedUnder?: string
}

export class PendingRequests {
  private readonly requests = new Map<string, PendingRequest>()
  /** reads with a confirmed index still pending (so most Readies skip the scan) */
  private confirmedReads = 0

  constructor (private readonly maxPending: number) {
    assert(Number.isInteger(maxPending) && maxPending > 0, 'maxPendingRequests must be a positive integer', { maxPending })
  }

  /** throws PROPOSAL_DROPPED when full (the caller may retry later) */
  checkCapacity (): void {
    if (this.requests.size >= this.maxPending) {
      throw new JadfsError('PROPOSAL_DROPPED', `too many pending requests (${this.maxPending})`, { details: { maxPendingRequests: this.maxPending } })
    }
  }

  add (id: string, request: PendingRequest): void {
    assert(!this.requests.has(id), 'request ids are unique', { id })
    this.requests.set(id, request)
  }

  resolve (id: string, value: unknown): void {
    const r = this.take(id)
    r?.resolve(value)
  }

  reject (id: string, err: Error): void {
    const r = this.take(id)
    r?.reject(err)
  }

  private take (id: string): PendingRequest | undefined {
    const r = this.requests.get(id)
    if (r === undefined) return undefined
    this.requests.delete(id)
    if (r.readIndex !== undefined) this.confirmedReads--
    return r
  }

  /** record the read index the leader confirmed for a read */
  confirmRead (id: string, index: number): void {
    const r = this.requests.get(id)
    if (r === undefined || r.kind !== 'read' || r.readIndex !== undefined) return
    r.readIndex = index
    this.confirmedReads++
  }

  hasConfirmedReads (): boolean {
    return this.confirmedReads > 0
  }

  /** reads whose index this node has applied */
  readsReady (applied: number): string[] {
    const out: string[] = []
    for (const [id, r] of this.requests) if (r.kind === 'read' && r.readIndex !== undefined && r.readIndex <= applied) out.push(id)
    return out
  }

  /**
   * Requests that can be submitted again and were last submitted under another leader or term
   * (not reads whose index a leader confirmed already: that index stays good).
   */
  submittedElsewhere (leaderTerm: string): Array<[string, PendingRequest]> {
    const out: Array<[string, PendingRequest]> = []
    for (const entry of this.requests) {
      const r = entry[1]
      if (r.resubmit !== undefined && r.submittedUnder !== leaderTerm && r.readIndex === undefined) out.push(entry)
    }
    return out
  }

  has (id: string): boolean {
    return this.requests.has(id)
  }

  /** the ids of the pending proposals */
  proposalIds (): string[] {
    const out: string[] = []
    for (const [id, r] of this.requests) if (r.kind === 'proposal') out.push(id)
    return out
  }

  expire (nowTick: number): void {
    for (const [id, r] of this.requests) {
      if (r.deadlineTick > nowTick) continue
      this.reject(id, new JadfsError('TIMEOUT', `${r.kind} not answered within its deadline; its outcome is unknown`, { details: { kind: r.kind, reason: 'deadline' } }))
    }
  }

  rejectAll (makeError: () => Error): void {
    for (const id of [...this.requests.keys()]) this.reject(id, makeError())
  }

  size (): number {
    return this.requests.size
  }
}
