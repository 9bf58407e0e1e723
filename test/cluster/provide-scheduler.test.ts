// Checks the provide scheduler with a fake clock and a fake provide that records calls: the bucket
// starts empty, refills at exactly ratePerSecond (also in fractions of a second), never bursts
// past one second's worth, and over a long irregular run never lets more provides start than
// the rate allows — and does reach it; new chunks go first, in order, before due re-provides;
// a re-provide happens at the interval and not a millisecond before; remove() stops provides,
// also of a chunk whose provide is in flight; a failure goes to the queue tail, is counted, and
// is not retried in the same tick; maxConcurrent is reached and never passed; maxTracked is
// enforced at the limit; stop() aborts a slow provide promptly and requeues its chunk; a
// provide that never ends is given up at its timeout, counted failed and requeued. And, from the
// defaults, that a record is renewed before other peers drop it: the re-provide interval, plus a
// full sweep of maxTracked chunks at the rate, plus one provide's timeout, is shorter than the
// validity the DHT gives provider records (and expired records are looked for more often than that).
import { strict as assert } from 'node:assert'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  DEFAULT_MAX_TRACKED, DEFAULT_PROVIDE_RATE_PER_SECOND, DEFAULT_PROVIDE_TIMEOUT_MS, DEFAULT_REPROVIDE_INTERVAL_MS,
  ProvideScheduler, type ProvideSchedulerInit
} from '../../src/cluster/provide/provide-scheduler.js'
import { DHT_PROVIDER_CLEANUP_INTERVAL_MS, DHT_PROVIDER_VALIDITY_MS } from '../../src/p2p/host-limits.js'
import { createPrng } from '../../src/util/prng.js'

const T0 = 1_700_000_000_000
const HOUR_MS = 60 * 60 * 1000

interface Harness {
  readonly clock: { now: number }
  readonly calls: string[]
  provideImpl: (cid: string, signal: AbortSignal) => Promise<void>
  readonly scheduler: ProvideScheduler
}

function harness (init: Partial<ProvideSchedulerInit> = {}): Harness {
  const h = {
    clock: { now: T0 },
    calls: [] as string[],
    provideImpl: async (_cid: string, _signal: AbortSignal): Promise<void> => {}
  }
  const scheduler = new ProvideScheduler({
    provide: async (cid, signal) => {
      h.calls.push(cid)
      await h.provideImpl(cid, signal)
    },
    nowMs: () => h.clock.now,
    ...init
  })
  return Object.assign(h, { scheduler })
}

const cids = (n: number, prefix = 'c'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const signal = (): AbortSignal => new AbortController().signal

describe('cluster: provide scheduler', () => {
  it('starts with an empty bucket and refills exactly ratePerSecond, also in fractions of a second', async () => {
    const h = harness({ ratePerSecond: 5 })
    h.scheduler.add(cids(100))
    assert.equal(await h.scheduler.tick(signal()), 0)
    h.clock.now += 1000
    assert.equal(await h.scheduler.tick(signal()), 5)
    // 0.3 s at 5/s is 1.5 provides: one now, the half carried over
    h.clock.now += 300
    assert.equal(await h.scheduler.tick(signal()), 1)
    h.clock.now += 100
    assert.equal(await h.scheduler.tick(signal()), 1)
    // ten ticks of 0.1 s sum to exactly 5, with no rounding loss
    let started = 0
    for (let i = 0; i < 10; i++) {
      h.clock.now += 100
      started += await h.scheduler.tick(signal())
    }
    assert.equal(started, 5)
  })

  it('bursts at most one second of rate after a long pause', async () => {
    const h = harness({ ratePerSecond: 5 })
    h.scheduler.add(cids(100))
    h.clock.now += 3_600_000
    assert.equal(await h.scheduler.tick(signal()), 5)
    assert.equal(await h.scheduler.tick(signal()), 0)
  })

  it('never starts more provides than the rate allows over a long irregular run, and reaches the rate', async () => {
    const rate = 7
    const h = harness({ ratePerSecond: rate, reprovideIntervalMs: 1 })
    h.scheduler.add(cids(50))
    const prng = createPrng(7)
    const starts: number[] = []
    for (let i = 0; i < 3000; i++) {
      h.clock.now += 1 + prng.nextInt(800) // leftover (< 1) + 0.8 s of rate stays under the burst cap: no token is dropped
      const n = await h.scheduler.tick(signal())
      for (let k = 0; k < n; k++) starts.push(h.clock.now)
    }
    const elapsedMs = h.clock.now - T0
    // the bucket started empty, so by any time t at most rate × (t - T0) provides had started
    starts.forEach((t, i) => assert.ok(i + 1 <= Math.floor((t - T0) * rate / 1000), `provide ${i + 1} at +${t - T0} ms`))
    // at the limit: every token was used
    assert.equal(starts.length, Math.floor(elapsedMs * rate / 1000))
    // and in any window of one second, no more than rate + one second of burst
    for (let i = 0, j = 0; i < starts.length; i++) {
      while ((starts[j] as number) <= (starts[i] as number) - 1000) j++
      assert.ok(i - j + 1 <= 2 * rate)
    }
  })

  it('provides new chunks first, in the order added, deduplicated', async () => {
    const h = harness({ ratePerSecond: 10, reprovideIntervalMs: 1000 })
    assert.deepEqual(h.scheduler.add(['a', 'b', 'c']), { added: 3, refused: 0 })
    assert.deepEqual(h.scheduler.add(['b', 'd', 'd']), { added: 1, refused: 0 })
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a', 'b', 'c', 'd'])
    // all four are now due for renewal; a new chunk still goes first
    h.scheduler.add(['e'])
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls.slice(4), ['e', 'a', 'b', 'c', 'd'])
    assert.deepEqual(h.scheduler.stats(), { tracked: 5, queued: 0, provided: 9, failed: 0 })
  })

  it('re-provides at the interval after the last provide and not a millisecond before', async () => {
    const h = harness({ ratePerSecond: 10, reprovideIntervalMs: 12 * HOUR_MS })
    h.scheduler.add(['a'])
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    const providedAt = h.clock.now
    h.clock.now = providedAt + 12 * HOUR_MS - 1
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a'])
    h.clock.now = providedAt + 12 * HOUR_MS
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a', 'a'])
    // and the next renewal counts from this one
    h.clock.now += 12 * HOUR_MS - 1
    await h.scheduler.tick(signal())
    assert.equal(h.calls.length, 2)
  })

  it('remove() stops first provides and re-provides', async () => {
    const h = harness({ ratePerSecond: 10, reprovideIntervalMs: HOUR_MS })
    h.scheduler.add(['a', 'b'])
    assert.equal(h.scheduler.remove('b'), true)
    assert.equal(h.scheduler.remove('b'), false)
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a'])
    h.scheduler.remove('a')
    h.clock.now += HOUR_MS
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a'])
    assert.deepEqual(h.scheduler.stats(), { tracked: 0, queued: 0, provided: 1, failed: 0 })
  })

  it('does not requeue or renew a chunk removed while its provide was in flight', async () => {
    const h = harness({ ratePerSecond: 10, reprovideIntervalMs: HOUR_MS })
    h.scheduler.add(['ok', 'bad'])
    h.provideImpl = async (cid) => {
      h.scheduler.remove(cid)
      if (cid === 'bad') throw new Error('no peers')
    }
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.scheduler.stats(), { tracked: 0, queued: 0, provided: 0, failed: 0 })
    h.clock.now += HOUR_MS
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['ok', 'bad'])
  })

  it('sends a failed provide to the queue tail, counts it, and does not retry it in the same tick', async () => {
    const h = harness({ ratePerSecond: 10, maxConcurrent: 1 })
    h.scheduler.add(['a', 'b', 'c'])
    let failA = true
    h.provideImpl = async (cid) => {
      if (cid === 'a' && failA) throw new Error('dht query failed')
    }
    h.clock.now += 1000
    assert.equal(await h.scheduler.tick(signal()), 3)
    assert.deepEqual(h.calls, ['a', 'b', 'c'])
    assert.deepEqual(h.scheduler.stats(), { tracked: 3, queued: 1, provided: 2, failed: 1 })
    h.scheduler.add(['d'])
    failA = false
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls.slice(3), ['a', 'd'])
    assert.deepEqual(h.scheduler.stats(), { tracked: 4, queued: 0, provided: 4, failed: 1 })
  })

  it('reaches maxConcurrent provides in flight and never passes it', async () => {
    const h = harness({ ratePerSecond: 20, maxConcurrent: 4 })
    let inFlight = 0
    let maxInFlight = 0
    h.provideImpl = async () => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await sleep(1)
      inFlight--
    }
    h.scheduler.add(cids(30))
    h.clock.now += 1000
    assert.equal(await h.scheduler.tick(signal()), 20)
    assert.equal(maxInFlight, 4)
  })

  it('ignores a tick while one is running', async () => {
    const h = harness({ ratePerSecond: 10 })
    h.provideImpl = async () => { await sleep(5) }
    h.scheduler.add(cids(30))
    h.clock.now += 1000
    const first = h.scheduler.tick(signal())
    assert.equal(await h.scheduler.tick(signal()), 0)
    assert.equal(await first, 10)
  })

  it('tracks at most maxTracked chunks', async () => {
    const h = harness({ maxTracked: 3 })
    assert.deepEqual(h.scheduler.add(['a', 'b']), { added: 2, refused: 0 })
    assert.deepEqual(h.scheduler.add(['c', 'd', 'e', 'a']), { added: 1, refused: 2 })
    assert.equal(h.scheduler.stats().tracked, 3)
    h.scheduler.remove('b')
    assert.deepEqual(h.scheduler.add(['d', 'e']), { added: 1, refused: 1 })
    h.clock.now += 1000
    await h.scheduler.tick(signal())
    assert.deepEqual(h.calls, ['a', 'c', 'd'])
  })

  it('adds no tokens when the clock steps back', async () => {
    const h = harness({ ratePerSecond: 5 })
    h.scheduler.add(cids(20))
    h.clock.now -= 10_000
    assert.equal(await h.scheduler.tick(signal()), 0)
    h.clock.now += 1000
    assert.equal(await h.scheduler.tick(signal()), 5)
  })

  it('stop() aborts a slow provide promptly and puts its chunk back in the queue, not counted as failed', async () => {
    const h = harness({ ratePerSecond: 1 })
    h.scheduler.add(['slow'])
    let started!: () => void
    const provideStarted = new Promise<void>((resolve) => { started = resolve })
    h.provideImpl = async (_cid, provideSignal) => {
      started()
      await sleep(30_000, undefined, { signal: provideSignal })
    }
    h.clock.now += 1000
    h.scheduler.start(10)
    await provideStarted
    const t0 = Date.now()
    await h.scheduler.stop()
    assert.ok(Date.now() - t0 < 1000)
    assert.deepEqual(h.scheduler.stats(), { tracked: 1, queued: 1, provided: 0, failed: 0 })
  })

  it('gives up a provide that never ends at provideTimeoutMs, counts it failed and queues it again', async () => {
    const timeoutMs = 200
    const h = harness({ ratePerSecond: 1, provideTimeoutMs: timeoutMs })
    h.scheduler.add(['stuck'])
    // a DHT query with nobody to ask: it ends only when its signal does
    h.provideImpl = async (_cid, provideSignal) => { await sleep(60_000, undefined, { signal: provideSignal }) }
    h.clock.now += 1000
    const t0 = performance.now()
    await h.scheduler.tick(new AbortController().signal)
    const tookMs = performance.now() - t0
    assert.ok(tookMs >= timeoutMs - 5 && tookMs < timeoutMs + 1000, `the tick took ${Math.round(tookMs)} ms`)
    assert.deepEqual(h.scheduler.stats(), { tracked: 1, queued: 1, provided: 0, failed: 1 })
  })

  it('renews a record (at the defaults, with every tracked chunk due) before the DHT validity drops it', () => {
    const sweepMs = DEFAULT_MAX_TRACKED / DEFAULT_PROVIDE_RATE_PER_SECOND * 1000
    const oldestRenewalMs = DEFAULT_REPROVIDE_INTERVAL_MS + sweepMs + DEFAULT_PROVIDE_TIMEOUT_MS
    assert.ok(oldestRenewalMs < DHT_PROVIDER_VALIDITY_MS,
      `a record may be ${(oldestRenewalMs / HOUR_MS).toFixed(1)} h old when renewed; peers drop it at ${DHT_PROVIDER_VALIDITY_MS / HOUR_MS} h`)
    assert.ok(DHT_PROVIDER_CLEANUP_INTERVAL_MS < DHT_PROVIDER_VALIDITY_MS)
  })
})
