// ReadIndex requests waiting for leadership confirmation (thesis §6.4, etcd's readOnly). The
// leader records its commit index with each request, broadcasts a heartbeat carrying the request
// context, and once a majority acknowledged that heartbeat, the request — and every older one —
// may be answered with its recorded index: no newer leader can have committed past it unseen.

import type { Message, NodeId } from '../types.js'
import { contextKey } from './messages.js'

export interface ReadIndexStatus {
  readonly request: Message
  readonly index: number
  readonly acks: Set<NodeId>
}

export class ReadOnlyQueue {
  private readonly pending = new Map<string, ReadIndexStatus>()
  private queue: string[] = []

  /** index is the leader's commit index when the request arrived */
  addRequest (index: number, request: Message): void {
    const key = contextKey(request.context)
    if (this.pending.has(key)) return
    this.pending.set(key, { request, index, acks: new Set() })
    this.queue.push(key)
  }

  /** a heartbeat response carrying ctx; returns the acks so far, undefined for an unknown ctx */
  recvAck (from: NodeId, ctx: Uint8Array | undefined): Set<NodeId> | undefined {
    const status = this.pending.get(contextKey(ctx))
    if (status === undefined) return undefined
    status.acks.add(from)
    return status.acks
  }

  /** the request with ctx is confirmed: release it and every request queued before it */
  advance (ctx: Uint8Array | undefined): ReadIndexStatus[] {
    const key = contextKey(ctx)
    const at = this.queue.indexOf(key)
    if (at < 0) return []
    const released = this.queue.slice(0, at + 1)
    this.queue = this.queue.slice(at + 1)
    return released.map(k => {
      const s = this.pending.get(k)!
      this.pending.delete(k)
      return s
    })
  }

  lastPendingContext (): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1]
    return key === undefined ? undefined : this.pending.get(key)?.request.context
  }

  size (): number {
    return this.queue.length
  }
}
