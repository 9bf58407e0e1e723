// The history as one doubly linked list of call and return events sorted by time, as in Lowe's
// "Testing for linearizability" and Porcupine. Linearizing an operation lifts its call and return
// out of the list; backtracking puts them back (dancing links), so each search step is O(1).
// Kept in typed arrays rather than objects: the search touches them millions of times.

import { assert } from '../../util/assert.js'
import type { Operation } from './types.js'

export const HEAD = 0
export const NIL = -1

export interface EntryList {
  readonly next: Int32Array
  readonly prev: Int32Array
  /** operation index of each node (-1 for the head sentinel) */
  readonly op: Int32Array
  /** for a call node its return node; NIL for return nodes and the head */
  readonly match: Int32Array
}

/** node 0 is the head; nodes 1..2n are the events in time order. Unknown outcomes return at +∞. */
export function buildEntryList<I, O> (ops: ReadonlyArray<Operation<I, O>>): EntryList {
  const events: Array<{ time: number, isReturn: boolean, op: number }> = []
  ops.forEach((o, i) => {
    assert(Number.isFinite(o.call), 'operation call time must be finite', o)
    assert(o.return === null || (Number.isFinite(o.return) && o.return >= o.call), 'operation return time must be null or ≥ call', o)
    events.push({ time: o.call, isReturn: false, op: i })
    events.push({ time: o.return ?? Infinity, isReturn: true, op: i })
  })
  // equal times: calls first, so operations that touch at an instant count as concurrent
  events.sort((a, b) => (a.time - b.time) || (Number(a.isReturn) - Number(b.isReturn)) || (a.op - b.op))

  const size = events.length + 1
  const list: EntryList = {
    next: new Int32Array(size),
    prev: new Int32Array(size),
    op: new Int32Array(size),
    match: new Int32Array(size).fill(NIL)
  }
  const callNode = new Int32Array(ops.length)
  list.op[HEAD] = -1
  for (let node = 0; node < size; node++) {
    list.prev[node] = node - 1
    list.next[node] = node + 1 < size ? node + 1 : NIL
  }
  events.forEach((e, i) => {
    const node = i + 1
    list.op[node] = e.op
    if (e.isReturn) list.match[callNode[e.op]!] = node
    else callNode[e.op] = node
  })
  return list
}

/** remove a call node and its return node */
export function lift (list: EntryList, call: number): void {
  const { next, prev } = list
  next[prev[call]!] = next[call]!
  prev[next[call]!] = prev[call]! // a call is always followed by at least its own return
  const ret = list.match[call]!
  next[prev[ret]!] = next[ret]!
  if (next[ret] !== NIL) prev[next[ret]!] = prev[ret]!
}

/** undo the most recent lift (must be called in reverse lift order) */
export function unlift (list: EntryList, call: number): void {
  const { next, prev } = list
  const ret = list.match[call]!
  next[prev[ret]!] = ret
  if (next[ret] !== NIL) prev[next[ret]!] = ret
  next[prev[call]!] = call
  prev[next[call]!] = call
}
