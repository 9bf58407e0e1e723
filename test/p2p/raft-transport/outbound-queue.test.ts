// Checks the per-peer outbound queue in isolation: over its message or byte limit it drops
// the oldest non-snapshot messages and keeps the newest; a queued snapshot survives overflow;
// a newer snapshot replaces an older one still waiting; a newcomer that cannot fit beside a
// snapshot is the one dropped; the byte count follows pushes, shifts and clear.
import { strict as assert } from 'node:assert'
import { OutboundQueue } from '../../../src/p2p/raft-transport/outbound-queue.js'
import type { QueuedMessage } from '../../../src/p2p/raft-transport/outbound-queue.js'

function msg (tag: number, sizeBytes = 1, snapshot = false): QueuedMessage {
  return { bytes: new Uint8Array(sizeBytes).fill(tag), snapshot }
}

function drain (q: OutboundQueue): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = []
  for (let m = q.shift(); m !== undefined; m = q.shift()) out.push([m.bytes[0]!, m.snapshot])
  return out
}

describe('p2p raft transport: outbound queue', () => {
  it('drops the oldest messages over the message limit', () => {
    const q = new OutboundQueue(3, 1000)
    const dropped = [1, 2, 3, 4, 5].map((t) => q.push(msg(t)))
    assert.deepEqual(dropped, [0, 0, 0, 1, 1])
    assert.deepEqual(drain(q), [[3, false], [4, false], [5, false]])
    assert.equal(q.bytes, 0)
  })

  it('keeps a waiting snapshot and drops the non-snapshot messages around it', () => {
    const q = new OutboundQueue(3, 1000)
    q.push(msg(1))
    q.push(msg(2, 1, true))
    q.push(msg(3))
    assert.equal(q.push(msg(4)), 1)
    assert.equal(q.push(msg(5)), 1)
    assert.deepEqual(drain(q), [[2, true], [4, false], [5, false]])
  })

  it('replaces an older waiting snapshot with a newer one', () => {
    const q = new OutboundQueue(10, 1000)
    q.push(msg(1, 1, true))
    q.push(msg(2))
    assert.equal(q.push(msg(3, 1, true)), 1)
    assert.deepEqual(drain(q), [[2, false], [3, true]])
  })

  it('drops by bytes too, and drops the newcomer when only a snapshot is left to drop', () => {
    const q = new OutboundQueue(10, 100)
    q.push(msg(1, 30))
    q.push(msg(2, 30))
    assert.equal(q.bytes, 60)
    assert.equal(q.push(msg(3, 60)), 1)
    assert.equal(q.bytes, 90)
    assert.deepEqual(drain(q), [[2, false], [3, false]])

    q.push(msg(4, 80, true))
    assert.equal(q.push(msg(5, 30)), 1)
    assert.deepEqual(drain(q), [[4, true]])
  })

  it('clear() reports what it discarded', () => {
    const q = new OutboundQueue(10, 100)
    q.push(msg(1, 10))
    q.push(msg(2, 10))
    assert.equal(q.clear(), 2)
    assert.equal(q.length, 0)
    assert.equal(q.bytes, 0)
  })
})
