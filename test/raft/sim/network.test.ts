// Checks the simulated network: with no faults every message arrives once; loss and
// duplication happen at about their configured rates; a blocked link drops what it carries
// in one direction only; and the same seed gives the same delivery order.
import { strict as assert } from 'node:assert'
import { SimNetwork } from '../../../src/raft/sim/network.js'
import type { Message } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'

const m = (from: string, to: string, index: number): Message =>
  ({ type: 'MsgApp', from, to, term: 1, logTerm: 1, index, entries: [], commit: 0, reject: false, rejectHint: 0 })

function drain (net: SimNetwork, tick: number): Array<{ index: number, blocked: boolean }> {
  const out: Array<{ index: number, blocked: boolean }> = []
  for (let t = net.takeDue(tick); t !== undefined; t = net.takeDue(tick)) out.push({ index: t.flight.message.index, blocked: t.blocked })
  return out
}

describe('raft sim network', () => {
  it('delivers everything exactly once without faults, in a seed-determined order', () => {
    const order = (seed: number): number[] => {
      const net = new SimNetwork(createPrng(seed))
      net.faults = { lossRate: 0, duplicateRate: 0, maxDelayTicks: 0 }
      for (let i = 0; i < 50; i++) net.send(m('n1', 'n2', i), 0)
      return drain(net, 0).map(d => d.index)
    }
    assert.deepEqual([...order(1)].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i))
    assert.deepEqual(order(1), order(1))
    assert.notDeepEqual(order(1), order(2))
  })

  it('loses and duplicates at about the configured rates and holds delayed messages', () => {
    const net = new SimNetwork(createPrng(3))
    net.faults = { lossRate: 0.2, duplicateRate: 0.1, maxDelayTicks: 5 }
    for (let i = 0; i < 10_000; i++) net.send(m('n1', 'n2', i), 0)
    assert.ok(Math.abs(net.stats.lost - 2000) < 200, `lost ${net.stats.lost}`)
    assert.ok(Math.abs(net.stats.duplicated - 800) < 150, `duplicated ${net.stats.duplicated}`)
    const early = drain(net, 0).length
    assert.ok(early > 0 && early < net.size + early)
    assert.equal(drain(net, 5).length + early, 10_000 - net.stats.lost + net.stats.duplicated)
  })

  it('blocks a one-way link in its direction only', () => {
    const net = new SimNetwork(createPrng(4))
    net.faults = { lossRate: 0, duplicateRate: 0, maxDelayTicks: 0 }
    net.block('n1', 'n2')
    net.send(m('n1', 'n2', 1), 0)
    net.send(m('n2', 'n1', 2), 0)
    const got = drain(net, 0).sort((a, b) => a.index - b.index)
    assert.deepEqual(got, [{ index: 1, blocked: true }, { index: 2, blocked: false }])
  })
})
