// Generates key-value histories that are linearizable by construction: every operation gets a
// linearization point inside its [call, return] interval, a real sequential map executes the
// operations in the order of those points, and the outputs it produces are recorded. Shared by
// the property test and the performance test.

import type { KvInput, KvOutput, Operation } from '../../src/check/linearizability/index.js'

export type PlannedOutcome = 'known' | 'unknownApplied' | 'unknownLost'

export interface PlannedOp {
  readonly client: number
  readonly key: string
  readonly kind: 'get' | 'put' | 'append'
  /** idle time of the client before the call */
  readonly gapBefore: number
  /** call → linearization point */
  readonly toLin: number
  /** linearization point → return (for unknown outcomes: call → the client gives up) */
  readonly toReturn: number
  readonly outcome: PlannedOutcome
}

export type KvOperation = Operation<KvInput, KvOutput>

export function generateKvHistory (plan: readonly PlannedOp[]): KvOperation[] {
  const clock = new Map<number, number>()
  const placed = plan.map((p, i) => {
    const call = (clock.get(p.client) ?? 0) + p.gapBefore
    // an operation whose outcome the client never learns may take effect long after it gave up
    const lin = p.outcome === 'unknownApplied' ? call + p.toLin * 3 : call + p.toLin
    const ret = p.outcome === 'known' ? lin + p.toReturn : call + p.toReturn
    clock.set(p.client, ret)
    // tokens are unique, so every written string value is unique
    const input: KvInput = p.kind === 'get' ? { op: 'get', key: p.key } : { op: p.kind, key: p.key, value: `${p.kind[0]}${i}.` }
    return { p, i, call, lin, ret, input }
  })

  const store = new Map<string, string>()
  const outputs = new Map<number, KvOutput>()
  // equal points: both intervals contain the point, so either order is a valid linearization
  const byLin = placed.filter(x => x.p.outcome !== 'unknownLost').sort((a, b) => (a.lin - b.lin) || (a.i - b.i))
  for (const x of byLin) {
    const input = x.input
    if (input.op === 'get') outputs.set(x.i, { op: 'get', value: store.get(input.key) ?? null })
    else if (input.op === 'put') { store.set(input.key, input.value); outputs.set(x.i, { op: 'put' }) } else { store.set(input.key, (store.get(input.key) ?? '') + input.value); outputs.set(x.i, { op: 'append' }) }
  }

  return placed.map(x => x.p.outcome === 'known'
    ? { clientId: x.p.client, input: x.input, call: x.call, return: x.ret, output: outputs.get(x.i)! }
    : { clientId: x.p.client, input: x.input, call: x.call, return: null })
}
