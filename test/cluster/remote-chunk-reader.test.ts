// Checks reading chunks this peer does not hold, with a fake local store state, fake candidate
// and DHT provider lists, and a fake fetchInto that records every call, can be held open on a
// gate, and counts fetches in flight: a held chunk is never fetched; candidates are tried in
// order until one succeeds, then DHT providers (a peer already tried is not asked twice); at
// most 8 peers are asked (at the limit); concurrent ensureLocal calls for one chunk share one
// fetch; nobody supplying it gives CHUNK_UNAVAILABLE naming the peers tried, or CHUNK_CORRUPT
// when the local copy is bad; the DHT is skipped when no peer is connected; a read prefetches
// at most READ_AHEAD_CHUNKS past the chunk it opens (fetches in flight counted) and starts the
// fetches in chunk order. The DHT lookup deadline (5 s, injectable so the tests use a short
// one) is checked at its limit with real timers: a lookup that never answers is given up at
// the deadline, a provider found just before it is used and one that would come just after is
// not. A peer that cannot make room for the chunk (makeRoom throws NO_SPACE) asks no peer and
// answers NO_SPACE; one that can goes on to fetch. A read whose signal aborts (its client gone)
// stops waiting while the fetch it shared goes on; the node stopping ends a fetch from a silent holder.
import { strict as assert } from 'node:assert'
import { performance } from 'node:perf_hooks'
import { READ_AHEAD_CHUNKS, RemoteChunkReader, type RemoteChunkReaderComponents } from '../../src/cluster/remote-chunk-reader.js'
import { JadfsError } from '../../src/errors.js'
import type { ChunkRef } from '../../src/files/file-service.js'

/** mirrors MAX_SOURCES_TRIED in the module */
const MAX_SOURCES_TRIED = 8
/** mirrors PROVIDER_LOOKUP_MS in the module */
const PROVIDER_LOOKUP_MS = 5_000

interface Harness {
  readonly local: Map<string, 'ok' | 'bad'>
  connected: boolean
  readonly candidates: Map<string, string[]>
  readonly providers: Map<string, string[]>
  readonly providerLookups: string[]
  /** thrown by the DHT lookup after the listed providers */
  lookupError: Error | undefined
  /** every fetchInto call as "peer:cid", in call order */
  readonly fetches: string[]
  readonly fetched: Array<[string, string]>
  /** peers whose fetches fail */
  readonly failing: Set<string>
  /** while set, fetches wait for it to be opened (then fail if their signal aborted meanwhile) */
  gate: Promise<void> | null
  /** makeRoom fails with NO_SPACE */
  noRoom: boolean
  /** every makeRoom call, by cid */
  readonly roomChecks: string[]
  /** every release of the room a fetch claimed, by cid */
  readonly roomReleases: string[]
  inFlight: number
  maxInFlight: number
  readonly reader: RemoteChunkReader
  /** aborts the reader's signal, as the node beginning to stop does */
  stop: () => void
}

interface HarnessOptions {
  readonly providerLookupMs?: number
  /** replaces the fake DHT lookup over h.providers */
  readonly findProviders?: RemoteChunkReaderComponents['findProviders']
}

function harness (options: HarnessOptions = {}): Harness {
  const stopping = new AbortController()
  const h = {
    local: new Map<string, 'ok' | 'bad'>(),
    connected: true,
    candidates: new Map<string, string[]>(),
    providers: new Map<string, string[]>(),
    providerLookups: [] as string[],
    lookupError: undefined as Error | undefined,
    fetches: [] as string[],
    fetched: [] as Array<[string, string]>,
    failing: new Set<string>(),
    gate: null as Promise<void> | null,
    noRoom: false,
    roomChecks: [] as string[],
    roomReleases: [] as string[],
    inFlight: 0,
    maxInFlight: 0
  }
  const reader = new RemoteChunkReader({
    localState: (cid) => h.local.get(cid) ?? 'absent',
    hasPeers: () => h.connected,
    candidates: (cid) => h.candidates.get(cid) ?? [],
    findProviders: options.findProviders ?? async function * (cid, signal) {
      assert.ok(signal instanceof AbortSignal)
      h.providerLookups.push(cid)
      yield * h.providers.get(cid) ?? []
      if (h.lookupError !== undefined) throw h.lookupError
    },
    ...(options.providerLookupMs === undefined ? {} : { providerLookupMs: options.providerLookupMs }),
    makeRoom: async (chunk) => {
      h.roomChecks.push(chunk.cid)
      if (h.noRoom) throw new JadfsError('NO_SPACE', `no room for ${chunk.cid}`)
      return () => { h.roomReleases.push(chunk.cid) }
    },
    fetchInto: async (peerId, chunk, signal) => {
      h.fetches.push(`${peerId}:${chunk.cid}`)
      h.inFlight++
      h.maxInFlight = Math.max(h.maxInFlight, h.inFlight)
      try {
        if (h.gate !== null) {
          // a real fetch ends when its signal does, however silent the holder
          await Promise.race([h.gate, new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true }) })])
        }
        signal.throwIfAborted()
        if (h.failing.has(peerId)) throw new Error(`${peerId} has no copy`)
        h.local.set(chunk.cid, 'ok')
      } finally {
        h.inFlight--
      }
    },
    onFetched: (cid, from) => { h.fetched.push([cid, from]) },
    signal: stopping.signal,
    logger: { debug: () => {}, warn: () => {} }
  })
  return Object.assign(h, { reader, stop: () => { stopping.abort(new JadfsError('SHUTTING_DOWN', 'the node is stopping')) } })
}

function gate (h: Harness): () => void {
  let open!: () => void
  h.gate = new Promise<void>((resolve) => { open = resolve })
  return () => {
    h.gate = null
    open()
  }
}

const chunk = (n: number): ChunkRef => ({ cid: `c${n}`, sizeBytes: 100 })

interface SlowLookup {
  readonly findProviders: RemoteChunkReaderComponents['findProviders']
  /** performance.now() when the lookup began, and when its signal aborted (NaN: not yet) */
  startedAt: number
  abortedAt: number
}

/**
 * A DHT lookup that finds `answer.peerId` after `answer.afterMs` (never without an answer) and
 * finds nothing else: like libp2p's, it ends only when its signal aborts, with the signal's
 * reason. It records when it began and when its signal aborted.
 */
function slowLookup (answer?: { peerId: string, afterMs: number }): SlowLookup {
  const untilAborted = async (signal: AbortSignal, afterMs?: number): Promise<void> => {
    signal.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal.reason)
      }
      const timer = afterMs === undefined
        ? undefined
        : setTimeout(() => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        }, afterMs)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
  const lookup: SlowLookup = {
    startedAt: NaN,
    abortedAt: NaN,
    findProviders: async function * (_cid, signal) {
      lookup.startedAt = performance.now()
      signal.addEventListener('abort', () => { lookup.abortedAt = performance.now() }, { once: true })
      if (answer !== undefined) {
        await untilAborted(signal, answer.afterMs)
        yield answer.peerId
      }
      await untilAborted(signal)
    }
  }
  return lookup
}

const fails = (code: string, tried: string[], message: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof JadfsError, String(err))
  assert.equal(err.code, code)
  assert.deepEqual(err.details, { cid: 'c1', tried })
  assert.match(err.message, message)
  return true
}

describe('cluster: remote chunk reader', () => {
  it('does nothing for a chunk held here', async () => {
    const h = harness()
    h.local.set('c1', 'ok')
    h.candidates.set('c1', ['a'])
    await h.reader.ensureLocal(chunk(1))
    assert.deepEqual(h.fetches, [])
    assert.deepEqual(h.providerLookups, [])
  })

  it('tries the candidates in order until one supplies the chunk', async () => {
    const h = harness()
    h.candidates.set('c1', ['a', 'b', 'c'])
    h.failing.add('a')
    await h.reader.ensureLocal(chunk(1))
    assert.deepEqual(h.fetches, ['a:c1', 'b:c1'])
    assert.deepEqual(h.fetched, [['c1', 'b']])
    assert.deepEqual(h.providerLookups, [])
  })

  it('makes room before fetching; without room it asks no peer and answers NO_SPACE', async () => {
    const h = harness()
    h.candidates.set('c1', ['a'])
    h.providers.set('c1', ['p1'])
    h.noRoom = true
    await assert.rejects(h.reader.ensureLocal(chunk(1)), (err) => err instanceof JadfsError && err.code === 'NO_SPACE')
    assert.deepEqual([h.roomChecks, h.fetches, h.providerLookups], [['c1'], [], []])
    h.noRoom = false
    await h.reader.ensureLocal(chunk(1))
    assert.deepEqual([h.roomChecks, h.fetches, h.roomReleases], [['c1', 'c1'], ['a:c1'], ['c1']])
    // a fetch that fails releases its room too
    h.failing.add('a')
    await assert.rejects(h.reader.ensureLocal(chunk(2)))
    assert.deepEqual(h.roomReleases, ['c1', 'c2'])
  })

  it('falls back to DHT providers and does not ask a tried peer twice', async () => {
    const h = harness()
    h.candidates.set('c1', ['a'])
    h.failing.add('a')
    h.providers.set('c1', ['a', 'p1', 'p2'])
    await h.reader.ensureLocal(chunk(1))
    assert.deepEqual(h.providerLookups, ['c1'])
    assert.deepEqual(h.fetches, ['a:c1', 'p1:c1'])
    assert.deepEqual(h.fetched, [['c1', 'p1']])
  })

  it('gives CHUNK_UNAVAILABLE naming the peers tried when nobody supplies the chunk', async () => {
    const h = harness()
    h.candidates.set('c1', ['a', 'b'])
    h.providers.set('c1', ['c'])
    for (const id of ['a', 'b', 'c']) h.failing.add(id)
    await assert.rejects(h.reader.ensureLocal(chunk(1)),
      fails('CHUNK_UNAVAILABLE', ['a', 'b', 'c'], /no reachable peer could supply chunk c1 \(3 tried\): a: a has no copy; b: b has no copy; c: c has no copy/))
    assert.deepEqual(h.fetched, [])
  })

  it('reports a failing DHT lookup among the reasons', async () => {
    const h = harness()
    h.providers.set('c1', ['p1'])
    h.failing.add('p1')
    h.lookupError = new Error('query timed out')
    await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_UNAVAILABLE', ['p1'], /p1: p1 has no copy; DHT lookup: query timed out$/))
  })

  it('asks at most 8 peers for one chunk', async () => {
    const h = harness()
    const peers = Array.from({ length: MAX_SOURCES_TRIED + 2 }, (_, i) => `p${i}`)
    h.candidates.set('c1', peers.slice(0, 5))
    h.providers.set('c1', peers.slice(5))
    for (const id of peers) h.failing.add(id)
    await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_UNAVAILABLE', peers.slice(0, MAX_SOURCES_TRIED), /8 tried/))
    assert.equal(h.fetches.length, MAX_SOURCES_TRIED)
    // the eighth peer is still asked, and it may be the one that has it
    const h2 = harness()
    h2.candidates.set('c1', peers.slice(0, MAX_SOURCES_TRIED))
    for (const id of peers.slice(0, MAX_SOURCES_TRIED - 1)) h2.failing.add(id)
    await h2.reader.ensureLocal(chunk(1))
    assert.deepEqual(h2.fetched, [['c1', `p${MAX_SOURCES_TRIED - 1}`]])
  })

  it('gives CHUNK_CORRUPT when the local copy is bad and nobody supplies a good one, and refetches a bad copy', async () => {
    const h = harness()
    h.local.set('c1', 'bad')
    h.candidates.set('c1', ['a'])
    h.failing.add('a')
    await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_CORRUPT', ['a'], /failed its integrity check on this peer and no peer could supply a good copy \(1 tried\)/))
    h.failing.delete('a')
    await h.reader.ensureLocal(chunk(1))
    assert.equal(h.local.get('c1'), 'ok')
    assert.deepEqual(h.fetches, ['a:c1', 'a:c1'])
  })

  it('skips the DHT when no peer is connected', async () => {
    const h = harness()
    h.connected = false
    h.providers.set('c1', ['p1'])
    await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_UNAVAILABLE', [], /\(0 tried\)/))
    assert.deepEqual(h.providerLookups, [])
    // the control: connected, the same chunk is found through the DHT
    h.connected = true
    await h.reader.ensureLocal(chunk(1))
    assert.deepEqual(h.providerLookups, ['c1'])
  })

  it('shares one fetch between concurrent readers of a chunk, and fetches again once it ended', async () => {
    const h = harness()
    h.candidates.set('c1', ['a', 'b'])
    h.failing.add('a')
    const open = gate(h)
    const readers = [h.reader.ensureLocal(chunk(1)), h.reader.ensureLocal(chunk(1)), h.reader.ensureLocal(chunk(1))]
    open()
    await Promise.all(readers)
    assert.deepEqual(h.fetches, ['a:c1', 'b:c1'])

    // a failed fetch is shared too, and not remembered: the next call tries again
    h.local.delete('c1')
    h.failing.add('b')
    const open2 = gate(h)
    const failing = [h.reader.ensureLocal(chunk(1)), h.reader.ensureLocal(chunk(1))]
    open2()
    for (const p of failing) await assert.rejects(p, /no reachable peer/)
    assert.equal(h.fetches.length, 4)
    h.failing.clear()
    await h.reader.ensureLocal(chunk(1))
    assert.equal(h.fetches.length, 5)
  })

  it('a read whose own signal aborts stops waiting at once; the fetch it shared goes on for the others', async () => {
    const h = harness()
    h.candidates.set('c1', ['a'])
    const open = gate(h)
    const gone = new AbortController()
    const leaving = h.reader.openRead([chunk(1)], gone.signal).beforeOpen(chunk(1))
    const staying = h.reader.openRead([chunk(1)]).beforeOpen(chunk(1))
    gone.abort(new Error('client disconnected'))
    await assert.rejects(leaving, /client disconnected/)
    assert.equal(h.inFlight, 1, 'the shared fetch was cut short')
    open()
    await staying
    assert.deepEqual(h.fetches, ['a:c1'])
  })

  it('stops a fetch from a holder that has not answered once the node is stopping', async () => {
    const h = harness()
    h.candidates.set('c1', ['a'])
    gate(h)
    const reading = h.reader.ensureLocal(chunk(1))
    await new Promise((resolve) => setImmediate(resolve))
    h.stop()
    // the fake fetch waits on the gate, which never opens: only the signal can end the wait
    await assert.rejects(reading, /the node is stopping/)
  })

  it('a read prefetches at most READ_AHEAD_CHUNKS ahead, fetching in chunk order', async () => {
    const h = harness()
    const chunks = Array.from({ length: 10 }, (_, i) => chunk(i))
    for (const c of chunks) h.candidates.set(c.cid, ['a'])
    const session = h.reader.openRead(chunks)
    for (const [i, c] of chunks.entries()) {
      const open = gate(h)
      const opening = session.beforeOpen(c)
      // every fetch this open started is waiting at the gate now
      await new Promise((resolve) => setImmediate(resolve))
      const started = h.fetches.map((f) => Number(f.slice('a:c'.length)))
      assert.ok(Math.max(...started) <= Math.min(i + READ_AHEAD_CHUNKS, chunks.length - 1), `opening chunk ${i} started ${started.join(',')}`)
      open()
      await opening
    }
    assert.deepEqual(h.fetches, chunks.map((c) => `a:${c.cid}`))
    assert.equal(h.maxInFlight, READ_AHEAD_CHUNKS + 1)
  })

  describe('the DHT lookup deadline', function () {
    // real timers: a short deadline, and margins around it that a loaded machine cannot blur.
    // Timers fire in the order they are due, so a provider due MARGIN_MS before (after) the
    // deadline comes before (after) it however late both fire; only the upper bounds on
    // elapsed time depend on the load, and they are generous.
    const DEADLINE_MS = 400
    const MARGIN_MS = 150
    /** Node timers count whole milliseconds, so one may fire up to 1 ms early by performance.now() */
    const EARLY_MS = 2
    const LATE_MS = 1500
    this.timeout(10_000)

    it('gives up a lookup that finds nothing at the deadline: CHUNK_UNAVAILABLE, the lookup aborted not before the deadline and not much later', async () => {
      // the lookup never yields and ends only when its signal aborts; the reader must abort
      // it at DEADLINE_MS (measured from the lookup's start) and then fail the read
      const lookup = slowLookup()
      const h = harness({ providerLookupMs: DEADLINE_MS, findProviders: lookup.findProviders })
      await assert.rejects(h.reader.ensureLocal(chunk(1)),
        fails('CHUNK_UNAVAILABLE', [], /\(0 tried\): DHT lookup: The operation was aborted due to timeout$/))
      const failedAfter = performance.now() - lookup.startedAt
      const abortedAfter = lookup.abortedAt - lookup.startedAt
      assert.ok(abortedAfter >= DEADLINE_MS - EARLY_MS, `the lookup was aborted ${abortedAfter.toFixed(1)} ms after it began, before the ${DEADLINE_MS} ms deadline`)
      assert.ok(abortedAfter <= DEADLINE_MS + LATE_MS, `the lookup was aborted only ${abortedAfter.toFixed(1)} ms after it began`)
      assert.ok(failedAfter <= DEADLINE_MS + LATE_MS, `the read failed only ${failedAfter.toFixed(1)} ms after the lookup began`)
      assert.deepEqual(h.fetches, [])
    })

    it('uses a provider found just before the deadline, even when fetching from it lasts past the deadline', async () => {
      // p1 is found MARGIN_MS before the deadline; its fetch is held until MARGIN_MS after it.
      // The deadline bounds the lookup, not the fetch from a provider it found in time.
      const lookup = slowLookup({ peerId: 'p1', afterMs: DEADLINE_MS - MARGIN_MS })
      const h = harness({ providerLookupMs: DEADLINE_MS, findProviders: lookup.findProviders })
      const open = gate(h)
      const timer = setTimeout(open, DEADLINE_MS + MARGIN_MS)
      try {
        await h.reader.ensureLocal(chunk(1))
      } finally {
        clearTimeout(timer)
        open()
      }
      const doneAfter = performance.now() - lookup.startedAt
      assert.deepEqual(h.fetches, ['p1:c1'])
      assert.deepEqual(h.fetched, [['c1', 'p1']])
      // the control: the fetch did run past the deadline
      assert.ok(doneAfter >= DEADLINE_MS, `the read ended ${doneAfter.toFixed(1)} ms after the lookup began, before the deadline`)
    })

    it('does not use a provider that would be found just after the deadline', async () => {
      // p1 would be found MARGIN_MS after the deadline: the lookup is aborted first, so p1
      // is never asked and the read fails; a reader waiting longer than the deadline would
      // fetch from p1 and pass
      const lookup = slowLookup({ peerId: 'p1', afterMs: DEADLINE_MS + MARGIN_MS })
      const h = harness({ providerLookupMs: DEADLINE_MS, findProviders: lookup.findProviders })
      await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_UNAVAILABLE', [], /\(0 tried\): DHT lookup: /))
      assert.deepEqual(h.fetches, [])
      const abortedAfter = lookup.abortedAt - lookup.startedAt
      assert.ok(abortedAfter >= DEADLINE_MS - EARLY_MS && abortedAfter <= DEADLINE_MS + LATE_MS, `the lookup was aborted ${abortedAfter.toFixed(1)} ms after it began`)
    })

    it('without providerLookupMs the deadline is PROVIDER_LOOKUP_MS (5 s)', async () => {
      // waiting 5 s is too slow for a unit test: AbortSignal.timeout is wrapped to record the
      // deadlines asked for (this assumes the reader makes its deadline with it, as it does)
      const original = AbortSignal.timeout
      const asked: number[] = []
      AbortSignal.timeout = (ms: number) => {
        asked.push(ms)
        return original.call(AbortSignal, ms)
      }
      try {
        const h = harness()
        await assert.rejects(h.reader.ensureLocal(chunk(1)), fails('CHUNK_UNAVAILABLE', [], /\(0 tried\)/))
        assert.deepEqual(h.providerLookups, ['c1'])
      } finally {
        AbortSignal.timeout = original
      }
      assert.deepEqual(asked, [PROVIDER_LOOKUP_MS])
    })
  })
})
