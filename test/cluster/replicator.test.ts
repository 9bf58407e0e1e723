// Checks the replicator over a real ReplicationQueue (temp SQLite file) with a fake clock, fake
// peers and a fake push that records every call: debt is paid to the peers placement picks once
// they appear, and partly paid when only some do; a failed push is retried after the queue's
// backoff and not before; pushes in flight reach the concurrency cap and never pass it; a row
// whose chunk is gone is dropped without a push; this peer counts as a holder and is never a
// target whether or not livePeers lists it; a round takes at most batchSize rows; stop() during
// a slow push aborts it, returns promptly and leaves the row due as it was.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { choosePeers, type PlacementPeer } from '../../src/cluster/placement/rendezvous.js'
import { ReplicationQueue } from '../../src/cluster/replication/replication-queue.js'
import { Replicator, type PushResult, type ReplicatorComponents } from '../../src/cluster/replication/replicator.js'

const SELF = 'self'
const T0 = 1_700_000_000_000
const peer = (peerId: string, weight = 1e9): PlacementPeer => ({ peerId, weight })

interface Harness {
  readonly queue: ReplicationQueue
  readonly clock: { now: number }
  peers: PlacementPeer[]
  readonly local: Set<string>
  readonly pushes: Array<{ peerId: string, cid: string }>
  /** decides each push; defaults to 'stored' */
  pushImpl: (peerId: string, cid: string, signal: AbortSignal) => Promise<PushResult>
  replicator: (overrides?: Partial<ReplicatorComponents>) => Replicator
  cleanup: () => void
}

function harness (): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'jadfs-replicator-'))
  const queue = ReplicationQueue.open(join(dir, 'replication.sqlite'))
  const h: Harness = {
    queue,
    clock: { now: T0 },
    peers: [],
    local: new Set(),
    pushes: [],
    pushImpl: async () => 'stored',
    replicator: (overrides = {}) => new Replicator({
      queue,
      selfId: SELF,
      livePeers: () => h.peers,
      holdsLocally: (cid) => h.local.has(cid),
      push: async (peerId, cid, signal) => {
        h.pushes.push({ peerId, cid })
        return await h.pushImpl(peerId, cid, signal)
      },
      nowMs: () => h.clock.now,
      ...overrides
    }),
    cleanup: () => {
      queue.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return h
}

const signal = (): AbortSignal => new AbortController().signal

describe('cluster: replicator', () => {
  let h: Harness
  beforeEach(() => { h = harness() })
  afterEach(() => h.cleanup())

  it('keeps the debt while no peer is alive and pays it to the placement targets once peers appear', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 100, 3, [SELF], T0)
    const r = h.replicator()

    // alone: the row is left as it is (no retry written), and stays due
    assert.deepEqual(await r.runOnce(signal()), { rows: 1, paid: 0, dropped: 0, retried: 0, pushed: 0, failedPushes: 0 })
    assert.equal(h.pushes.length, 0)
    assert.equal(h.queue.get('c1')?.attempts, 0)
    assert.equal(h.queue.due(h.clock.now, 10).length, 1)

    h.peers = ['a', 'b', 'c', 'd', 'e'].map((id) => peer(id))
    h.clock.now += 1000
    assert.deepEqual(await r.runOnce(signal()), { rows: 1, paid: 1, dropped: 0, retried: 0, pushed: 2, failedPushes: 0 })
    const expected = choosePeers('c1', h.peers, 2, new Set([SELF]))
    assert.deepEqual(h.pushes.map((p) => p.peerId).sort(), [...expected].sort())
    assert.equal(h.queue.get('c1'), undefined)
    assert.deepEqual(h.queue.totals(), { entries: 0, missingCopies: 0, bytes: 0 })
  })

  it('records a partial payment and finishes when a second peer appears', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 100, 3, [SELF], T0)
    h.peers = [peer('a')]
    const r = h.replicator()
    assert.equal((await r.runOnce(signal())).retried, 1)
    assert.deepEqual(h.queue.holders('c1'), [SELF, 'a'])
    assert.equal(h.queue.totals().missingCopies, 1)

    h.peers = [peer('a'), peer('b')]
    h.clock.now += 1000
    assert.equal((await r.runOnce(signal())).paid, 1)
    assert.deepEqual(h.pushes.map((p) => p.peerId), ['a', 'b'])
  })

  it('retries a failed push after the backoff and not before', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 100, 2, [SELF], T0)
    h.peers = [peer('a')]
    let fail = true
    h.pushImpl = async () => {
      if (fail) throw new Error('connection reset')
      return 'stored'
    }
    const r = h.replicator()
    assert.deepEqual(await r.runOnce(signal()), { rows: 1, paid: 0, dropped: 0, retried: 1, pushed: 0, failedPushes: 1 })
    assert.deepEqual(h.queue.get('c1')?.nextAttemptAtMs, T0 + 1000)

    h.clock.now = T0 + 999
    assert.equal((await r.runOnce(signal())).rows, 0)
    assert.equal(h.pushes.length, 1)

    // fails again: the next delay doubles
    h.clock.now = T0 + 1000
    await r.runOnce(signal())
    assert.deepEqual(h.queue.get('c1')?.nextAttemptAtMs, T0 + 1000 + 2000)

    fail = false
    h.clock.now = T0 + 3000
    assert.equal((await r.runOnce(signal())).paid, 1)
    assert.equal(h.pushes.length, 3)
    assert.equal(h.queue.get('c1'), undefined)
  })

  it('counts an "already-had" answer as a copy', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 100, 2, [SELF], T0)
    h.peers = [peer('a')]
    h.pushImpl = async () => 'already-had'
    assert.equal((await h.replicator().runOnce(signal())).paid, 1)
  })

  it('reaches the push concurrency cap and never exceeds it', async () => {
    const cap = 3
    h.peers = Array.from({ length: 10 }, (_, i) => peer(`p${i}`))
    for (let i = 0; i < 20; i++) {
      h.local.add(`c${i}`)
      h.queue.enqueue(`c${i}`, 1, 3, [SELF], T0)
    }
    let inFlight = 0
    let maxInFlight = 0
    h.pushImpl = async () => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await sleep(1)
      inFlight--
      return 'stored'
    }
    const round = await h.replicator({ maxConcurrentPushes: cap }).runOnce(signal())
    assert.deepEqual(round, { rows: 20, paid: 20, dropped: 0, retried: 0, pushed: 40, failedPushes: 0 })
    assert.equal(maxInFlight, cap)
  })

  it('drops a row whose chunk is no longer held here, without pushing', async () => {
    h.queue.enqueue('gone', 100, 3, [SELF], T0)
    h.peers = [peer('a'), peer('b')]
    const round = await h.replicator().runOnce(signal())
    assert.deepEqual(round, { rows: 1, paid: 0, dropped: 1, retried: 0, pushed: 0, failedPushes: 0 })
    assert.equal(h.pushes.length, 0)
    assert.equal(h.queue.get('gone'), undefined)
  })

  it('counts this peer as a holder and never pushes to it, whether livePeers lists it or not', async () => {
    h.local.add('c1')
    h.local.add('c2')
    // enqueued without self: the replicator adds it
    h.queue.enqueue('c1', 1, 2, [], T0)
    h.queue.enqueue('c2', 1, 1, [], T0)
    // self listed with by far the most free space: placement would rank it first every time
    h.peers = [peer(SELF, 1e15), peer('a')]
    const round = await h.replicator().runOnce(signal())
    assert.deepEqual(round, { rows: 2, paid: 2, dropped: 0, retried: 0, pushed: 1, failedPushes: 0 })
    assert.deepEqual(h.pushes, [{ peerId: 'a', cid: 'c1' }])
  })

  it('pushes only to the missing copies, excluding known holders', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 1, 3, [SELF, 'a'], T0)
    h.peers = ['a', 'b', 'c', 'd'].map((id) => peer(id))
    await h.replicator().runOnce(signal())
    assert.equal(h.pushes.length, 1)
    assert.notEqual(h.pushes[0]?.peerId, 'a')
    assert.deepEqual(h.pushes.map((p) => p.peerId), choosePeers('c1', h.peers, 1, new Set([SELF, 'a'])))
  })

  it('takes at most batchSize rows per round', async () => {
    h.peers = [peer('a')]
    for (let i = 0; i < 5; i++) {
      h.local.add(`c${i}`)
      h.queue.enqueue(`c${i}`, 1, 2, [SELF], T0 + i)
    }
    h.clock.now = T0 + 10
    const r = h.replicator({ batchSize: 2 })
    assert.equal((await r.runOnce(signal())).rows, 2)
    assert.deepEqual(h.pushes.map((p) => p.cid), ['c0', 'c1'])
    assert.equal((await r.runOnce(signal())).rows, 2)
    assert.equal((await r.runOnce(signal())).rows, 1)
    assert.equal(h.queue.totals().entries, 0)
  })

  it('keeps the round going when the queue cannot be written for one row', async () => {
    h.local.add('c1')
    h.local.add('c2')
    h.queue.enqueue('c1', 1, 2, [SELF], T0)
    h.queue.enqueue('c2', 1, 2, [SELF], T0)
    h.peers = [peer('a')]
    const queue = {
      due: h.queue.due.bind(h.queue),
      retryLater: h.queue.retryLater.bind(h.queue),
      remove: h.queue.remove.bind(h.queue),
      addHolder: (cid: string, peerId: string): boolean => {
        if (cid === 'c1') throw new Error('disk I/O error')
        return h.queue.addHolder(cid, peerId)
      }
    }
    const round = await h.replicator({ queue }).runOnce(signal())
    assert.equal(round.paid, 1)
    assert.equal(h.queue.get('c2'), undefined)
    // c1 is as it was: due again, no attempt counted
    assert.deepEqual(h.queue.get('c1')?.attempts, 0)
  })

  it('stop() during a slow push aborts it, returns promptly and leaves the row due', async () => {
    h.local.add('c1')
    h.queue.enqueue('c1', 100, 2, [SELF], T0)
    h.peers = [peer('a')]
    let started!: () => void
    const pushStarted = new Promise<void>((resolve) => { started = resolve })
    let pushEnded = false
    h.pushImpl = async (_peerId, _cid, pushSignal) => {
      started()
      try {
        // a 30 s transfer unless aborted
        await sleep(30_000, undefined, { signal: pushSignal })
        return 'stored'
      } finally {
        pushEnded = true
      }
    }
    const r = h.replicator()
    r.start(10)
    await pushStarted
    const t0 = Date.now()
    await r.stop()
    assert.ok(Date.now() - t0 < 1000, `stop took ${Date.now() - t0} ms`)
    assert.equal(pushEnded, true)
    const row = h.queue.get('c1')
    assert.deepEqual({ attempts: row?.attempts, nextAttemptAtMs: row?.nextAttemptAtMs, holders: row?.holders }, { attempts: 0, nextAttemptAtMs: T0, holders: [SELF] })
  })
})
