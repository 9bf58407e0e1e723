// Checks weighted rendezvous placement over deterministic chunk ids (so no run can flake): the
// ranking is deterministic and independent of input order, lists every eligible peer once, never
// offers excluded, zero-, negative- or non-finite-weight peers, and returns all eligible peers when
// asked for more; huge weights do not overflow into ties; removing a peer moves only the chunks it ranked first; first-choice shares
// follow the weights; u stays strictly inside (0, 1) at both ends of the 53-bit range.
import { strict as assert } from 'node:assert'
import { choosePeers, compareScored, rankForReading, rankPeers, unitFromBits, type PlacementPeer } from '../../src/cluster/placement/rendezvous.js'

const ids = (n: number, prefix = 'chunk'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
const equalPeers = (n: number): PlacementPeer[] => Array.from({ length: n }, (_, i) => ({ peerId: `peer-${i}`, weight: 1000 }))

describe('cluster: rendezvous placement', () => {
  it('ranks deterministically, whatever the order of the input', () => {
    const peers = equalPeers(7)
    const reversed = [...peers].reverse()
    for (const id of ids(200)) {
      const ranking = rankPeers(id, peers)
      assert.deepEqual(rankPeers(id, peers), ranking)
      assert.deepEqual(rankPeers(id, reversed), ranking)
    }
  })

  it('lists every eligible peer exactly once', () => {
    const peers = equalPeers(9)
    for (const id of ids(100)) {
      const ranking = rankPeers(id, peers)
      assert.equal(ranking.length, peers.length)
      assert.deepEqual([...ranking].sort(), peers.map((p) => p.peerId).sort())
    }
  })

  it('spreads first choices over all peers (the ranking depends on the chunk id)', () => {
    const peers = equalPeers(5)
    const firsts = new Set(ids(200).map((id) => rankPeers(id, peers)[0]))
    assert.equal(firsts.size, 5)
  })

  it('never chooses a peer with zero, negative, NaN or infinite weight', () => {
    const peers: PlacementPeer[] = [
      { peerId: 'ok-1', weight: 1 },
      { peerId: 'zero', weight: 0 },
      { peerId: 'negative', weight: -5 },
      { peerId: 'nan', weight: Number.NaN },
      { peerId: 'inf', weight: Number.POSITIVE_INFINITY },
      { peerId: 'ok-2', weight: Number.MAX_VALUE }
    ]
    for (const id of ids(100)) {
      assert.deepEqual([...rankPeers(id, peers)].sort(), ['ok-1', 'ok-2'])
      assert.deepEqual([...choosePeers(id, peers, 6)].sort(), ['ok-1', 'ok-2'])
    }
  })

  it('for reading, lists the peers with no room too, after the placement ranking', () => {
    const peers: PlacementPeer[] = [{ peerId: 'a', weight: 10 }, { peerId: 'full', weight: 0 }, { peerId: 'b', weight: 5 }, { peerId: 'odd', weight: Number.NaN }]
    const order = rankForReading('chunk-1', peers)
    assert.deepEqual(order.slice(0, 2), rankPeers('chunk-1', peers))
    assert.deepEqual([...order.slice(2)].sort(), ['full', 'odd'])
    assert.equal(new Set(order).size, 4)
  })

  it('never chooses an excluded peer, and otherwise keeps the ranking order', () => {
    const peers = equalPeers(6)
    const exclude = new Set(['peer-1', 'peer-4'])
    for (const id of ids(200)) {
      const chosen = choosePeers(id, peers, 3, exclude)
      assert.equal(chosen.length, 3)
      for (const p of chosen) assert.ok(!exclude.has(p), `${id}: chose excluded ${p}`)
      assert.deepEqual(chosen, rankPeers(id, peers).filter((p) => !exclude.has(p)).slice(0, 3))
    }
  })

  it('returns exactly count peers at the limit, and all eligible ones past it', () => {
    const peers = [...equalPeers(4), { peerId: 'empty', weight: 0 }]
    const id = 'chunk-x'
    const ranking = rankPeers(id, peers)
    assert.equal(ranking.length, 4)
    assert.deepEqual(choosePeers(id, peers, 0), [])
    assert.deepEqual(choosePeers(id, peers, 3), ranking.slice(0, 3))
    assert.deepEqual(choosePeers(id, peers, 4), ranking)
    assert.deepEqual(choosePeers(id, peers, 5), ranking)
    assert.deepEqual(choosePeers(id, peers, 100, new Set([ranking[0] as string])), ranking.slice(1))
    assert.deepEqual(choosePeers(id, [], 3), [])
  })

  it('refuses a negative or fractional count and a peer listed twice', () => {
    assert.throws(() => choosePeers('c', equalPeers(2), -1), /count/)
    assert.throws(() => choosePeers('c', equalPeers(2), 1.5), /count/)
    assert.throws(() => rankPeers('c', [{ peerId: 'a', weight: 1 }, { peerId: 'a', weight: 2 }]), /listed twice/)
  })

  it('orders by score, then equal scores by peer id', () => {
    // a real tie needs two peers whose hashes agree in 53 bits, so the comparator is checked directly
    const sorted = [{ peerId: 'b', logScore: 1 }, { peerId: 'c', logScore: 2 }, { peerId: 'a', logScore: 1 }].sort(compareScored)
    assert.deepEqual(sorted.map((s) => s.peerId), ['c', 'a', 'b'])
  })

  it('ranks the largest finite weights without overflow', () => {
    // -weight / ln(u) would overflow to Infinity for weights near Number.MAX_VALUE and tie them
    // (then 'x' would win every tie by its id, about 78% of first choices here instead of 2/3)
    const peers: PlacementPeer[] = [{ peerId: 'x', weight: Number.MAX_VALUE }, { peerId: 'y', weight: Number.MAX_VALUE / 2 }]
    const n = 3000
    const xFirst = ids(n).filter((id) => rankPeers(id, peers)[0] === 'x').length
    assert.ok(Math.abs(xFirst / n - 2 / 3) < 0.03, `x first for ${xFirst} of ${n}`)
  })

  it('removing a peer moves only the chunks that peer ranked first (minimal disruption)', () => {
    const peers = equalPeers(8)
    const gone = 'peer-3'
    const remaining = peers.filter((p) => p.peerId !== gone)
    let moved = 0
    for (const id of ids(2000)) {
      const before = rankPeers(id, peers)
      const after = rankPeers(id, remaining)
      // the relative order of the survivors does not change at all
      assert.deepEqual(after, before.filter((p) => p !== gone))
      if (before[0] === gone) {
        moved++
        assert.equal(after[0], before[1])
      } else {
        assert.equal(after[0], before[0], `${id} moved although ${gone} was not its first choice`)
      }
    }
    // about 1/8 of 2000 ids had the removed peer first
    assert.ok(moved > 150 && moved < 350, `moved ${moved}`)
  })

  it('gives first choices in proportion to the weights (1:2:4 → 1/7, 2/7, 4/7)', () => {
    const peers: PlacementPeer[] = [{ peerId: 'small', weight: 1e9 }, { peerId: 'medium', weight: 2e9 }, { peerId: 'large', weight: 4e9 }]
    const n = 14_000
    const counts = new Map<string, number>()
    for (const id of ids(n)) {
      const first = rankPeers(id, peers)[0] as string
      counts.set(first, (counts.get(first) ?? 0) + 1)
    }
    // binomial standard deviation at n = 14,000 is at most 0.0043; 0.015 is 3.5 of them
    const expected = { small: 1 / 7, medium: 2 / 7, large: 4 / 7 }
    for (const [peerId, share] of Object.entries(expected)) {
      const got = (counts.get(peerId) ?? 0) / n
      assert.ok(Math.abs(got - share) < 0.015, `${peerId}: share ${got.toFixed(4)}, expected ${share.toFixed(4)}`)
    }
  })

  it('keeps u strictly inside (0, 1) at both ends of the 53-bit range', () => {
    const lowest = unitFromBits(0)
    const highest = unitFromBits(2 ** 53 - 1)
    assert.ok(lowest > 0 && Number.isFinite(Math.log(lowest)))
    assert.ok(highest < 1 && Math.log(highest) < 0)
    assert.throws(() => unitFromBits(2 ** 53), /53-bit/)
    assert.throws(() => unitFromBits(-1), /53-bit/)
  })
})
