// Checks the eviction of cached copies (what a cluster peer keeps of chunks it fetched for
// reads) against a real chunk store in a temp dir, with the collector called directly:
// - a read restarts a cached copy's grace period, at most once a second (at the limit);
// - only the copies the cluster confirms (some live peer holds a copy) are evicted, and each
//   eviction is announced, whether or not the file was still there;
// - while an eviction deletes the file, the row already says 'absent', so a push arriving then
//   finds no copy to promise (keepAsCopy is false) and a read finds nothing to open; the
//   delete is held open by a gate to look at that moment;
// - a verified open that finds the file of an evicted copy gone answers CHUNK_NOT_FOUND and
//   marks nothing bad (the eviction lands between the open's row check and its file open);
// - a failed upload's discard leaves a chunk that is pinned, referenced or cached;
// - making room for a read evicts cached copies whatever their age, least recently read first,
//   skipping those in use (pinned) and those no peer confirms, and stops once there is room,
//   or once its time budget is spent on peers that confirm nothing (slow ones, faked here).
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { isJadfsError } from '../../src/errors.js'
import { ChunkFileStore } from '../../src/store/chunk-file-store.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { CACHED_TOUCH_EVERY_MS, ChunkStore } from '../../src/store/chunk-store.js'
import { openDatabase, type Db } from '../../src/store/database.js'
import { ROOM_EVICTION_BUDGET_MS, collectGarbage, evictCachedForRoom } from '../../src/store/garbage-collector.js'
import { KeyedLock } from '../../src/store/keyed-lock.js'
import { PinSet } from '../../src/store/pin-set.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('store: eviction of cached copies', () => {
  let dir: string
  let db: Db
  let files: ChunkFileStore
  let index: ChunkIndex
  let store: ChunkStore
  const lock = new KeyedLock()
  const pins = new PinSet()
  let clockMs = 1_000_000
  const removed: string[] = []
  const gc = async (confirm?: (cids: readonly string[]) => Promise<ReadonlySet<string>>) =>
    await collectGarbage({ files, index, lock, pins, nowMs: () => clockMs, onRemoved: (cid) => removed.push(cid), ...(confirm === undefined ? {} : { confirmEvictable: confirm }) }, 1000)

  beforeEach(async () => {
    dir = await makeTempDir('cached-eviction')
    files = new ChunkFileStore({ dataDir: dir })
    await files.init()
    db = openDatabase(join(dir, 'meta.sqlite'))
    index = new ChunkIndex(db)
    store = new ChunkStore({ files, index, lock, pins, nowMs: () => clockMs })
    removed.length = 0
  })
  afterEach(async () => {
    db.close()
    await removeTempDir(dir)
  })

  /** a chunk a file references, held here only as a cached copy, unread for a while */
  async function cachedCopy (): Promise<string> {
    const bytes = randomBytes(70_000)
    const writer = await store.createWriter()
    await writer.write(bytes)
    const { chunk, release } = await store.commit(writer, { cached: true })
    release()
    index.addRefs([chunk], clockMs)
    clockMs += 5000
    return chunk.cid
  }

  it(`a read restarts a cached copy's grace at most once every CACHED_TOUCH_EVERY_MS (${CACHED_TOUCH_EVERY_MS} ms), and never a copy's`, async () => {
    const cid = await cachedCopy()
    const stored = index.get(cid)?.touchedAtMs as number
    clockMs = stored + CACHED_TOUCH_EVERY_MS - 1
    store.noteRead(cid)
    assert.equal(index.get(cid)?.touchedAtMs, stored, 'touched again within the interval')
    clockMs = stored + CACHED_TOUCH_EVERY_MS
    store.noteRead(cid)
    assert.equal(index.get(cid)?.touchedAtMs, clockMs)
    // a copy's touch time is its GC bookkeeping, not a read's
    assert.ok(index.keepAsCopy(cid))
    const asCopy = index.get(cid)?.touchedAtMs
    clockMs += 10 * CACHED_TOUCH_EVERY_MS
    store.noteRead(cid)
    assert.equal(index.get(cid)?.touchedAtMs, asCopy)
  })

  it('evicts only the copies the cluster confirms, announcing each', async () => {
    const [kept, evicted] = [await cachedCopy(), await cachedCopy()]
    const asked: string[][] = []
    const report = await gc(async (cids) => {
      asked.push([...cids])
      return new Set([evicted])
    })
    assert.deepEqual(asked.map((a) => [...a].sort()), [[kept, evicted].sort()])
    assert.equal(report.cachedEvicted, 1)
    assert.deepEqual([index.get(kept)?.state, index.get(kept)?.cached], ['ok', true], 'no live peer holds a copy: the cache must stay')
    assert.deepEqual([index.get(evicted)?.state, index.get(evicted)?.cached, index.get(evicted)?.refcount], ['absent', false, 1])
    assert.equal(await files.statChunk(evicted), null)
    assert.deepEqual(removed, [evicted])
  })

  it('the row says absent before the file goes: a push then finds no copy to promise', async () => {
    const cid = await cachedCopy()
    const removeFile = files.remove.bind(files)
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    let deleting!: () => void
    const started = new Promise<void>((resolve) => { deleting = resolve })
    files.remove = async (id) => {
      deleting()
      await gate
      return await removeFile(id)
    }
    const run = gc()
    await started
    assert.equal(index.get(cid)?.state, 'absent', 'the row still claims a copy whose file is being deleted')
    assert.equal(index.keepAsCopy(cid), false, 'a push would be told the copy is here')
    await assert.rejects(store.openVerified(cid, null, Buffer.alloc(65536)), (err) => isJadfsError(err, 'CHUNK_NOT_FOUND'))
    release()
    assert.equal((await run).cachedEvicted, 1)
    assert.deepEqual(removed, [cid])
  })

  it('a verified open racing an eviction answers CHUNK_NOT_FOUND and marks nothing bad', async () => {
    const cid = await cachedCopy()
    const openFile = files.openForRead.bind(files)
    files.openForRead = async (id) => {
      await gc()
      return await openFile(id)
    }
    await assert.rejects(store.openVerified(cid, null, Buffer.alloc(65536)), (err) => isJadfsError(err, 'CHUNK_NOT_FOUND'))
    assert.equal(index.get(cid)?.state, 'absent')
  })

  it('making room for a read evicts the least recently read copies first, until there is room', async () => {
    const [oldest, pinned, unconfirmed, older, newest] = [await cachedCopy(), await cachedCopy(), await cachedCopy(), await cachedCopy(), await cachedCopy()]
    index.touchCachedCopy(oldest, clockMs - 40_000)
    index.touchCachedCopy(pinned, clockMs - 30_000)
    index.touchCachedCopy(unconfirmed, clockMs - 25_000)
    index.touchCachedCopy(older, clockMs - 20_000)
    index.touchCachedCopy(newest, clockMs)
    const unpin = pins.pin([pinned])
    let freed = 0
    const components = { files, index, lock, pins, nowMs: () => clockMs, onRemoved: (cid: string) => { removed.push(cid); freed++ }, confirmEvictable: async (cids: readonly string[]) => new Set(cids.filter((c) => c !== unconfirmed)) }
    const result = await evictCachedForRoom(components, async () => freed >= 2)
    unpin()
    assert.deepEqual(removed, [oldest, older], 'not the least recently read, or past the room needed')
    assert.equal(result.chunksEvicted, 2)
    assert.deepEqual([pinned, unconfirmed, newest].map((cid) => index.get(cid)?.state), ['ok', 'ok', 'ok'])
    assert.deepEqual(await evictCachedForRoom(components, async () => true), { chunksEvicted: 0, bytesFreed: 0 }, 'evicted with room to spare')
  })

  it('making room gives up after its time budget when peers confirm nothing', async () => {
    for (let i = 0; i < 70; i++) await cachedCopy()
    let rounds = 0
    const slowPeers = async (): Promise<ReadonlySet<string>> => {
      rounds++
      clockMs += ROOM_EVICTION_BUDGET_MS * 2 / 3
      return new Set()
    }
    const result = await evictCachedForRoom({ files, index, lock, pins, nowMs: () => clockMs, confirmEvictable: slowPeers }, async () => false)
    assert.equal(result.chunksEvicted, 0)
    assert.equal(rounds, 2, 'three batches of 32 were there to ask about; the budget allows two rounds')
  })

  it('a failed upload discards a chunk it created only if nothing else uses it or stored it since', async () => {
    const stamps = new Map<string, number>()
    const storeBytes = async (bytes: Uint8Array, expectedCid?: string): Promise<{ cid: string, created: boolean }> => {
      const writer = await store.createWriter()
      await writer.write(bytes)
      const { chunk, release, created, timesStored } = await store.commit(writer, expectedCid === undefined ? {} : { expectedCid })
      release()
      if (created) stamps.set(chunk.cid, timesStored)
      return { cid: chunk.cid, created }
    }
    const store1 = async (): Promise<string> => {
      const { cid, created } = await storeBytes(randomBytes(1000))
      assert.ok(created)
      return cid
    }
    const [pinned, referenced, cached, unused] = [await store1(), await store1(), await cachedCopy(), await store1()]
    stamps.set(cached, index.get(cached)?.timesStored as number)
    // a peer's push of the same bytes, acknowledged (pin released) in the same millisecond:
    // its file, naming this copy, is not applied here yet
    const pushedBytes = randomBytes(1000)
    const pushedSince = (await storeBytes(pushedBytes)).cid
    assert.equal((await storeBytes(pushedBytes, pushedSince)).created, false)
    const unpin = pins.pin([pinned])
    index.addRefs([{ cid: referenced, sizeBytes: 1000 }], clockMs)
    const cids = [pinned, referenced, cached, pushedSince, unused]
    assert.deepEqual(await Promise.all(cids.map(async (cid) => await store.discardIfUnused(cid, stamps.get(cid) as number))), [false, false, false, false, true])
    unpin()
    assert.equal(index.get(unused), undefined)
    assert.equal(await files.statChunk(unused), null)
    assert.ok(await files.statChunk(pinned) !== null)
    assert.ok(await files.statChunk(pushedSince) !== null, 'the copy a peer counts on was removed')
    assert.equal(index.get(pushedSince)?.state, 'ok')
  })

  it('a cached copy whose file vanished is no longer held (and announced), not marked bad', async () => {
    const cid = await cachedCopy()
    await files.remove(cid)
    const report = await gc(async () => new Set())
    assert.equal(report.missingMarkedBad, 0)
    assert.equal(index.get(cid)?.state, 'absent')
    assert.deepEqual(removed, [cid])
  })
})
