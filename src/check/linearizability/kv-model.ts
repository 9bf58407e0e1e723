// The sequential specification of the simulator's key-value store: get / put / append on string
// values, missing keys read as null. Keys are independent, so the history is checked per key
// (P-compositionality) and the state is just the one key's value.

import type { KvInput, KvOutput, Model, Operation } from './types.js'

/** the value of the partition's single key */
export type KvState = string | null

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => null,

  step (state, input, output) {
    switch (input.op) {
      case 'get':
        // an unknown get changes nothing and could have read anything
        return { ok: output === undefined || (output.op === 'get' && output.value === state), next: state }
      case 'put':
        return { ok: output === undefined || output.op === 'put', next: input.value }
      case 'append':
        return { ok: output === undefined || output.op === 'append', next: (state ?? '') + input.value }
    }
  },

  partition (history) {
    const byKey = new Map<string, Array<Operation<KvInput, KvOutput>>>()
    for (const o of history) {
      // a read whose answer never arrived constrains nothing; leaving it out saves search
      if (o.return === null && o.input.op === 'get') continue
      let ops = byKey.get(o.input.key)
      if (ops === undefined) byKey.set(o.input.key, ops = [])
      ops.push(o)
    }
    return [...byKey.values()]
  },

  // the prefix keeps null apart from every string
  hash: (state) => state === null ? 'null' : `"${state}"`,

  describeOperation (input, output) {
    const result = output === undefined ? ' -> ?' : output.op === 'get' ? ` -> ${output.value === null ? 'null' : `"${output.value}"`}` : ''
    return input.op === 'get' ? `get(${input.key})${result}` : `${input.op}(${input.key}, "${input.value}")${result}`
  }
}
