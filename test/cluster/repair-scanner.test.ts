// Checks the repair scanner with a fake namespace, fake have answers and a fixed ranking:
// a chunk short of copies is recorded as debt only by the holder that ranks first among its
// live holders (and with every holder it knows of); a chunk with enough copies, or not held
// here, is left alone; the copies asked for are the largest factor of the files naming the
// chunk; an unanswered peer makes the batch wait for the next scan instead of counting its
// copies as missing; batches hold at most CHUNKS_PER_BATCH ids and namespace pages at most
// FILES_PER_PAGE files (both at the limit); concurrent scans share one pass. A cached copy
// (fetched for a read) is not counted as a copy, and its peer steps in only when no live
// peer has a copy: then it keeps the cached one as a copy and records the debt, unless no
// peer is live (it may be the one cut off) or the cached copy was evicted meanwhile.
import { strict as assert } from 'node:assert'
import type { FileRecord } from '../../src/files/file-service.js'
import { CHUNKS_PER_BATCH, FILES_PER_PAGE, RepairScanner } from '../../src/cluster/repair/repair-scanner.js'

const SELF = 'self'

function file (path: string, cids: readonly string[], factor = 3): FileRecord {
  return {
    path,
    sizeBytes: cids.length,
    sha256: '0'.repeat(64),
    chunkSizeBytes: 65536,
    chunks: cids.map((cid) => ({ cid, sizeBytes: 1 })),
    replication: { factor, mode: 'sync' },
    createdAtMs: 0,
    modifiedAtMs: 0,
    version: 1
  }
}

interface Harness {
  files: FileRecord[]
  local: Set<string>
  /** held here only as cached copies */
  cached: Set<string>
  readonly kept: string[]
  peers: string[]
  /** cid → peers (other than self) holding it */
  held: Map<string, Set<string>>
  /** peers whose have request fails */
  silent: Set<string>
  /** runs as each peer answers a have request */
  whileAnswering: () => void
  /** the ranking: this order for every chunk */
  order: string[]
  readonly debts: Array<{ cid: string, want: number, holders: string[] }>
  readonly haveCalls: Array<{ peerId: string, count: number }>
  readonly pages: Array<string | undefined>
  readonly scanner: RepairScanner
}

function harness (): Harness {
  const h = {
    files: [] as FileRecord[],
    local: new Set<string>(),
    cached: new Set<string>(),
    kept: [] as string[],
    peers: ['a', 'b', 'c'],
    held: new Map<string, Set<string>>(),
    silent: new Set<string>(),
    whileAnswering: () => {},
    order: [SELF, 'a', 'b', 'c'],
    debts: [] as Array<{ cid: string, want: number, holders: string[] }>,
    haveCalls: [] as Array<{ peerId: string, count: number }>,
    pages: [] as Array<string | undefined>
  }
  const scanner = new RepairScanner({
    selfId: SELF,
    listFiles: (after, limit) => {
      h.pages.push(after)
      const sorted = [...h.files].sort((x, y) => x.path < y.path ? -1 : 1)
      return sorted.filter((f) => after === undefined || f.path > after).slice(0, limit)
    },
    localCopy: (cid) => h.cached.has(cid) ? 'cached' : h.local.has(cid) ? 'copy' : 'none',
    keepAsCopy: (cid) => {
      if (!h.cached.has(cid)) return false
      h.kept.push(cid)
      h.cached.delete(cid)
      h.local.add(cid)
      return true
    },
    livePeers: () => h.peers.map((peerId) => ({ peerId, weight: 1 })),
    askHave: async (peerId, cids) => {
      h.haveCalls.push({ peerId, count: cids.length })
      h.whileAnswering()
      if (h.silent.has(peerId)) throw new Error(`${peerId} did not answer`)
      return cids.map((cid) => h.held.get(cid)?.has(peerId) ?? false)
    },
    rank: (_cid, peers) => h.order.filter((id) => peers.some((p) => p.peerId === id)),
    recordDebt: (cid, _size, want, holders) => { h.debts.push({ cid, want, holders: [...holders].sort() }) },
    signal: new AbortController().signal,
    logger: { info: () => {}, warn: () => {} }
  })
  return Object.assign(h, { scanner })
}

describe('cluster: repair scanner', () => {
  it('records a short chunk when this peer ranks first among its holders, with every holder it knows of', async () => {
    const h = harness()
    h.files = [file('/f', ['short', 'full'])]
    h.local = new Set(['short', 'full'])
    h.held.set('short', new Set(['b']))
    h.held.set('full', new Set(['a', 'b']))
    const report = await h.scanner.scan()
    assert.deepEqual(h.debts, [{ cid: 'short', want: 3, holders: ['b', SELF] }])
    assert.deepEqual(report, { chunksChecked: 2, chunksShort: 1, debtsRecorded: 1, cachedKept: 0, peersUnanswered: 0 })
  })

  it('a cached copy is not counted as a copy, and leaves a short chunk to the peers that have copies', async () => {
    const h = harness()
    h.files = [file('/f', ['short'])]
    h.cached = new Set(['short'])
    h.held.set('short', new Set(['b']))
    const report = await h.scanner.scan()
    assert.deepEqual(h.debts, [], 'b holds a copy and repairs it, though this peer ranks first')
    assert.deepEqual(h.kept, [])
    assert.deepEqual(report, { chunksChecked: 1, chunksShort: 1, debtsRecorded: 0, cachedKept: 0, peersUnanswered: 0 })
  })

  it('with no copy left on a live peer, a cached copy is kept as a copy and the rest recorded as debt', async () => {
    const h = harness()
    h.files = [file('/f', ['last', 'fine'], 2)]
    h.cached = new Set(['last', 'fine'])
    h.held.set('fine', new Set(['a', 'b']))
    h.order = ['c', 'a', 'b', SELF]
    const report = await h.scanner.scan()
    assert.deepEqual(h.kept, ['last'])
    assert.deepEqual(h.debts, [{ cid: 'last', want: 2, holders: [SELF] }], 'recorded though this peer ranks last')
    assert.deepEqual(report, { chunksChecked: 2, chunksShort: 1, debtsRecorded: 1, cachedKept: 1, peersUnanswered: 0 })
  })

  it('with no live peer at all, or the cached copy evicted during the scan, keeps nothing and records nothing', async () => {
    const h = harness()
    h.files = [file('/f', ['x'])]
    h.cached = new Set(['x'])
    h.peers = []
    const alone = await h.scanner.scan()
    assert.deepEqual([h.kept, h.debts, alone.chunksShort, alone.cachedKept], [[], [], 1, 0])
    // the control: with a live peer that has no copy, the cache is kept
    h.peers = ['a']
    assert.equal((await h.scanner.scan()).cachedKept, 1)

    const g = harness()
    g.files = [file('/f', ['y'])]
    g.cached = new Set(['y'])
    g.whileAnswering = () => { g.cached.delete('y') } // evicted while the peers answer
    const evicted = await g.scanner.scan()
    assert.deepEqual([g.kept, g.debts, evicted.cachedKept], [[], [], 0])
  })

  it('leaves a short chunk to the holder that ranks before this peer', async () => {
    const h = harness()
    h.files = [file('/f', ['short'])]
    h.local = new Set(['short'])
    h.held.set('short', new Set(['b']))
    h.order = ['b', SELF, 'a', 'c']
    const report = await h.scanner.scan()
    assert.deepEqual(h.debts, [])
    assert.equal(report.chunksShort, 1)
    // the control: once b is gone (not live), this peer is the first live holder
    h.peers = ['a', 'c']
    h.held.delete('short')
    await h.scanner.scan()
    assert.deepEqual(h.debts, [{ cid: 'short', want: 3, holders: [SELF] }])
  })

  it('asks for the largest factor of the files naming a chunk, and skips chunks not held here', async () => {
    const h = harness()
    h.files = [file('/one', ['x'], 2), file('/two', ['x', 'elsewhere'], 4)]
    h.local = new Set(['x'])
    await h.scanner.scan()
    assert.deepEqual(h.debts, [{ cid: 'x', want: 4, holders: [SELF] }])
    assert.ok(h.haveCalls.every((c) => c.count === 1), 'only the local chunk is asked about')
  })

  it('an unanswered peer makes the batch wait: its copies are unknown, not missing', async () => {
    const h = harness()
    h.files = [file('/f', ['x'])]
    h.local = new Set(['x'])
    h.silent.add('c')
    const report = await h.scanner.scan()
    assert.deepEqual(h.debts, [])
    assert.equal(report.peersUnanswered, 1)
    h.silent.clear()
    await h.scanner.scan()
    assert.equal(h.debts.length, 1)
  })

  it('asks about at most CHUNKS_PER_BATCH chunks per request', async () => {
    const h = harness()
    const cids = Array.from({ length: CHUNKS_PER_BATCH + 1 }, (_, i) => `c${i}`)
    h.files = [file('/big', cids)]
    h.local = new Set(cids)
    for (const cid of cids) h.held.set(cid, new Set(['a', 'b']))
    const report = await h.scanner.scan()
    assert.equal(report.chunksChecked, CHUNKS_PER_BATCH + 1)
    assert.deepEqual(h.haveCalls.filter((c) => c.peerId === 'a').map((c) => c.count), [CHUNKS_PER_BATCH, 1])
    assert.deepEqual(h.debts, [])
  })

  it('reads the namespace in pages of FILES_PER_PAGE, continuing after the last path', async () => {
    const h = harness()
    h.files = Array.from({ length: FILES_PER_PAGE + 1 }, (_, i) => file(`/f${String(i).padStart(4, '0')}`, [`c${i}`]))
    h.local = new Set(h.files.map((f) => f.chunks[0]!.cid))
    for (const f of h.files) h.held.set(f.chunks[0]!.cid, new Set(['a', 'b']))
    const report = await h.scanner.scan()
    assert.equal(report.chunksChecked, FILES_PER_PAGE + 1)
    assert.deepEqual(h.pages, [undefined, `/f${String(FILES_PER_PAGE - 1).padStart(4, '0')}`])
  })

  it('a scan asked for during a scan shares it', async () => {
    const h = harness()
    h.files = [file('/f', ['x'])]
    h.local = new Set(['x'])
    const [first, second] = await Promise.all([h.scanner.scan(), h.scanner.scan()])
    assert.equal(first, second)
    assert.equal(h.debts.length, 1)
  })
})
