// The bytes of a confChange entry: a tiny self-describing JSON envelope. Conf changes are rare and
// small, so readability (a log dump shows them) matters more than size.

import { assert } from '../../util/assert.js'
import type { ConfChange, ConfChangeType } from '../types.js'

const TYPES: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'removeNode']

interface WireConfChange { t: ConfChangeType, n: string, c?: string }

export function encodeConfChange (cc: ConfChange): Uint8Array {
  assert(TYPES.includes(cc.type) && cc.nodeId.length > 0, 'invalid conf change', cc)
  const wire: WireConfChange = { t: cc.type, n: cc.nodeId }
  if (cc.context !== undefined) wire.c = Buffer.from(cc.context).toString('base64')
  return new TextEncoder().encode(JSON.stringify(wire))
}

/** conf change entries are written by the core itself, so a bad one is corruption: it asserts */
export function decodeConfChange (bytes: Uint8Array): ConfChange {
  let wire: WireConfChange
  try {
    wire = JSON.parse(new TextDecoder().decode(bytes)) as WireConfChange
  } catch (err) {
    assert(false, 'corrupt conf change entry', { bytes: bytes.byteLength, err: String(err) })
  }
  assert(typeof wire === 'object' && wire !== null && TYPES.includes(wire.t) && typeof wire.n === 'string' && wire.n.length > 0,
    'corrupt conf change entry', wire)
  const cc: ConfChange = wire.c === undefined
    ? { type: wire.t, nodeId: wire.n }
    : { type: wire.t, nodeId: wire.n, context: new Uint8Array(Buffer.from(wire.c, 'base64')) }
  return cc
}
