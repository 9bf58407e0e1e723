// Wing & Gong's linearizability search with Lowe's memoisation, structured as in Porcupine:
// walk the time-ordered event list; at a call, try to linearize that operation now (model.step)
// and, if the (linearized set, state) pair is new, lift it out and restart from the head; at a
// return, the operation returning there had to be linearized already, so backtrack. The cache
// of visited (set, state) pairs is what makes this fast on real histories.
//
// Unknown outcomes (return: null) return at +∞ and step with output undefined. Reaching the
// first +∞ return means every operation with a known outcome is linearized; the unknown ones
// still in the list are taken as never having happened, which is allowed.

import { assert } from '../../util/assert.js'
import { Bitset } from './bitset.js'
import { buildEntryList, HEAD, lift, NIL, unlift } from './entry-list.js'
import type { CheckOptions, CheckResult, Model, Operation } from './types.js'

/** per partition: real histories of thousands of operations need a few thousand steps; a
 * pathological one (dozens of concurrent unknown outcomes) stops after about a second and
 * ~100 MB of memo, instead of exhausting memory (each step may add a memo entry) */
export const DEFAULT_MAX_STEPS = 1_000_000

/** how many operations of the longest linearizable prefix an explanation lists */
const EXPLAIN_PREFIX_OPS = 8

type PartitionResult =
  | { readonly result: 'ok' }
  | { readonly result: 'illegal', readonly explanation: string }
  | { readonly result: 'unknown' }

/**
 * Decide whether `history` is linearizable with respect to `model`. Each partition
 * (model.partition, e.g. per key) is checked separately with its own step budget
 * (options.maxSteps model.step calls). An illegal partition decides the result; otherwise a
 * partition over budget makes it 'unknown'. model.step must not mutate its state argument.
 */
export function checkLinearizability<S, I, O> (model: Model<S, I, O>, history: ReadonlyArray<Operation<I, O>>, options: CheckOptions = {}): CheckResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
  assert(Number.isInteger(maxSteps) && maxSteps > 0, 'maxSteps must be a positive integer', { maxSteps })
  const partitions = model.partition !== undefined ? model.partition(history) : [history.slice()]
  let firstUnknown = -1
  for (let p = 0; p < partitions.length; p++) {
    const r = checkPartition(model, partitions[p]!, maxSteps)
    if (r.result === 'illegal') return { result: 'illegal', partition: p, explanation: r.explanation }
    if (r.result === 'unknown' && firstUnknown < 0) firstUnknown = p
  }
  return firstUnknown >= 0 ? { result: 'unknown', partition: firstUnknown } : { result: 'ok' }
}

function checkPartition<S, I, O> (model: Model<S, I, O>, ops: ReadonlyArray<Operation<I, O>>, maxSteps: number): PartitionResult {
  const list = buildEntryList(ops)
  const hash = model.hash ?? ((s: S) => JSON.stringify(s))
  const seen = new Memo<S>(model.equal)
  const linearized = new Bitset(ops.length)
  // the linearization so far: each call node lifted, and the state before it
  const stack: Array<{ node: number, before: S }> = []
  let state = model.init()
  let steps = 0
  // the deepest dead end, for the explanation
  let deepest: { prefix: number[], blocked: number, state: S } | undefined

  let node = list.next[HEAD]!
  while (node !== NIL) {
    const opIndex = list.op[node]!
    const op = ops[opIndex]!
    if (list.match[node] !== NIL) {
      // a call: try to linearize this operation next
      if (++steps > maxSteps) return { result: 'unknown' }
      const { ok, next } = model.step(state, op.input, op.return === null ? undefined : op.output)
      if (ok) {
        linearized.set(opIndex)
        if (seen.add(linearized.key() + '\u0000' + hash(next), next)) {
          stack.push({ node, before: state })
          state = next
          lift(list, node)
          node = list.next[HEAD]!
          continue
        }
        linearized.clear(opIndex)
      }
      node = list.next[node]!
    } else {
      // a return: this operation must already be linearized, and it is not
      if (op.return === null) return { result: 'ok' }
      if (deepest === undefined || stack.length > deepest.prefix.length) {
        deepest = { prefix: stack.map(e => list.op[e.node]!), blocked: opIndex, state }
      }
      const top = stack.pop()
      if (top === undefined) return { result: 'illegal', explanation: explain(model, ops, deepest, hash) }
      state = top.before
      linearized.clear(list.op[top.node]!)
      unlift(list, top.node)
      node = list.next[top.node]!
    }
  }
  return { result: 'ok' }
}

/** visited (linearized set, state) pairs; keys already include the state's hash */
class Memo<S> {
  private readonly keys = new Set<string>()
  private readonly buckets = new Map<string, S[]>()

  constructor (private readonly equal: ((a: S, b: S) => boolean) | undefined) {}

  /** false if an equal pair was seen before */
  add (key: string, state: S): boolean {
    if (this.equal === undefined) {
      if (this.keys.has(key)) return false
      this.keys.add(key)
      return true
    }
    const bucket = this.buckets.get(key)
    if (bucket === undefined) {
      this.buckets.set(key, [state])
      return true
    }
    for (const s of bucket) if (this.equal(s, state)) return false
    bucket.push(state)
    return true
  }
}

function explain<S, I, O> (model: Model<S, I, O>, ops: ReadonlyArray<Operation<I, O>>, deepest: { prefix: number[], blocked: number, state: S }, hash: (s: S) => string): string {
  const describe = (i: number): string => {
    const o = ops[i]!
    const what = model.describeOperation !== undefined
      ? model.describeOperation(o.input, o.return === null ? undefined : o.output)
      : `${JSON.stringify(o.input)} -> ${o.return === null ? '?' : JSON.stringify(o.output)}`
    return `client ${o.clientId} [${o.call}, ${o.return ?? '∞'}] ${what}`
  }
  const { prefix } = deepest
  const shown = prefix.slice(-EXPLAIN_PREFIX_OPS).map(describe)
  if (prefix.length > EXPLAIN_PREFIX_OPS) shown.unshift(`... ${prefix.length - EXPLAIN_PREFIX_OPS} earlier`)
  return `not linearizable (${ops.length} operations). Longest linearizable prefix has ${prefix.length}` +
    `${shown.length > 0 ? `: ${shown.join('; ')}` : ''}; state then ${hash(deepest.state)}; ` +
    `no order lets this operation take effect before it returned: ${describe(deepest.blocked)}`
}
