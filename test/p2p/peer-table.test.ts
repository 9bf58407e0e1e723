// Checks PeerTable with a fake clock, at the exact thresholds: alive below suspectAfterMs,
// suspect from it, dead from deadAfterMs, forgotten from forgetAfterMs; a fresh heartbeat
// revives; a stale or replayed one does not count as life; the size bound evicts the
// longest-dead peer and refuses a new peer when none is dead.
import { strict as assert } from 'node:assert'
import { PeerTable } from '../../src/p2p/gossip/peer-table.js'
import type { HeartbeatOrder } from '../../src/p2p/gossip/peer-table.js'

const SUSPECT_MS = 3000
const DEAD_MS = 10_000
const FORGET_MS = 60_000

function makeTable (maxPeers = 8): { table: PeerTable<HeartbeatOrder>, clock: { nowMs: number } } {
  const clock = { nowMs: 1_000_000 }
  const table = new PeerTable<HeartbeatOrder>({ suspectAfterMs: SUSPECT_MS, deadAfterMs: DEAD_MS, forgetAfterMs: FORGET_MS, maxPeers, nowMs: () => clock.nowMs })
  return { table, clock }
}

const hb = (sequence: number, startedAtMs = 1): HeartbeatOrder => ({ startedAtMs, sequence })

describe('p2p: peer table', () => {
  it('moves alive -> suspect -> dead -> forgotten exactly at the thresholds', () => {
    const { table, clock } = makeTable()
    const t0 = clock.nowMs
    assert.deepEqual(table.observe('A', hb(1)), { result: 'new', transition: { peerId: 'A', from: 'unknown', to: 'alive' } })

    clock.nowMs = t0 + SUSPECT_MS - 1
    assert.deepEqual(table.sweep(), [])
    assert.equal(table.get('A')?.state, 'alive')

    clock.nowMs = t0 + SUSPECT_MS
    assert.deepEqual(table.sweep(), [{ peerId: 'A', from: 'alive', to: 'suspect' }])

    clock.nowMs = t0 + DEAD_MS - 1
    assert.deepEqual(table.sweep(), [])
    assert.equal(table.get('A')?.state, 'suspect')

    clock.nowMs = t0 + DEAD_MS
    assert.deepEqual(table.sweep(), [{ peerId: 'A', from: 'suspect', to: 'dead' }])
    assert.deepEqual(table.list('dead').map((e) => e.peerId), ['A'])

    clock.nowMs = t0 + FORGET_MS - 1
    assert.deepEqual(table.sweep(), [])
    clock.nowMs = t0 + FORGET_MS
    assert.deepEqual(table.sweep(), [{ peerId: 'A', from: 'dead', to: 'forgotten' }])
    assert.equal(table.get('A'), undefined)
    assert.equal(table.size, 0)
  })

  it('jumps straight to dead when no sweep ran in between', () => {
    const { table, clock } = makeTable()
    table.observe('A', hb(1))
    clock.nowMs += DEAD_MS
    assert.deepEqual(table.sweep(), [{ peerId: 'A', from: 'alive', to: 'dead' }])
  })

  it('revives a suspect or dead peer on a newer heartbeat and restarts its clock', () => {
    const { table, clock } = makeTable()
    table.observe('A', hb(1))
    clock.nowMs += DEAD_MS
    table.sweep()
    const revived = table.observe('A', hb(2))
    assert.deepEqual(revived, { result: 'updated', transition: { peerId: 'A', from: 'dead', to: 'alive' } })
    clock.nowMs += SUSPECT_MS - 1
    assert.deepEqual(table.sweep(), [])
    assert.equal(table.get('A')?.heartbeat.sequence, 2)
  })

  it('ignores stale and replayed heartbeats, and accepts a restarted process', () => {
    const { table, clock } = makeTable()
    table.observe('A', hb(5, 100))
    const seenAt = clock.nowMs
    clock.nowMs += SUSPECT_MS
    assert.deepEqual(table.observe('A', hb(5, 100)), { result: 'stale' })
    assert.deepEqual(table.observe('A', hb(4, 100)), { result: 'stale' })
    assert.deepEqual(table.observe('A', hb(9, 99)), { result: 'stale' })
    assert.equal(table.get('A')?.lastSeenMs, seenAt)
    assert.deepEqual(table.sweep(), [{ peerId: 'A', from: 'alive', to: 'suspect' }])
    // A restart begins its sequence again at 1 with a later start time.
    assert.equal(table.observe('A', hb(1, 200)).result, 'updated')
    assert.equal(table.get('A')?.state, 'alive')
  })

  it('stays within maxPeers: evicts the longest-dead peer, refuses when none is dead', () => {
    const { table, clock } = makeTable(2)
    table.observe('A', hb(1))
    clock.nowMs += 1000
    table.observe('B', hb(1))
    assert.deepEqual(table.observe('C', hb(1)), { result: 'full' })
    clock.nowMs += DEAD_MS
    assert.equal(table.observe('C', hb(1)).result, 'new')
    assert.deepEqual(table.list().map((e) => e.peerId).sort(), ['B', 'C'])
  })

  it('rejects thresholds out of order', () => {
    assert.throws(() => new PeerTable({ suspectAfterMs: 10, deadAfterMs: 10, forgetAfterMs: 20, maxPeers: 1, nowMs: () => 0 }))
  })
})
