// Checks garbage collection through the file service with a controllable clock: released
// chunks survive until the grace period has passed since their release, then are removed and
// their bytes reported; chunk files with no row and temp files are removed only when older
// than the grace period; rows whose file vanished are removed (unreferenced) or marked bad
// (referenced); chunks of an upload still in flight survive any GC, and the upload completes.
import { strict as assert } from 'node:assert'
import { mkdir, readdir, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { bytesOf, collect, openTestService, piecesOf, rejectsWith, sha256Hex, TEST_CHUNK_BYTES, type OpenedService } from '../fixtures-storage/helpers.js'
import { listChunkFiles } from '../helpers/chunk-files.js'

const CHUNK = TEST_CHUNK_BYTES
const GRACE_MS = 60_000

function chunkFile (dir: string, cid: string): string {
  return join(dir, 'chunks', cid.slice(-3, -1), cid)
}

async function countChunkFiles (dir: string): Promise<number> {
  let n = 0
  for (const fanOut of await readdir(join(dir, 'chunks'), { withFileTypes: true })) {
    if (fanOut.isDirectory()) n += (await readdir(join(dir, 'chunks', fanOut.name))).length
  }
  return n
}

describe('garbage collection', () => {
  let t: OpenedService
  let clockMs: number

  beforeEach(async () => {
    clockMs = Date.now()
    t = await openTestService({ gcGraceMs: GRACE_MS }, { nowMs: () => clockMs })
  })
  afterEach(async () => { await t.cleanup() })

  it('keeps released chunks for the grace period, then frees exactly their bytes', async () => {
    await t.service.putFile('/keep', piecesOf(bytesOf(CHUNK, 1)))
    await t.service.putFile('/drop', piecesOf(bytesOf(2 * CHUNK + 10, 2)))
    await t.service.deleteFile('/drop')
    clockMs += GRACE_MS - 1
    const early = await t.service.collectGarbage()
    assert.deepEqual([early.chunksRemoved, early.bytesFreed], [0, 0])
    assert.equal(await countChunkFiles(t.dir), 4)

    clockMs += 1
    const report = await t.service.collectGarbage()
    assert.equal(report.chunksRemoved, 3)
    assert.equal(report.bytesFreed, 2 * CHUNK + 10)
    assert.ok(report.durationMs >= 0)
    assert.equal(await countChunkFiles(t.dir), 1)
    const status = await t.service.status()
    assert.deepEqual([status.chunks, status.physicalBytes, status.logicalBytes], [1, CHUNK, CHUNK])
    assert.ok((await collect((await t.service.readFile('/keep')).body)).equals(bytesOf(CHUNK, 1)))
  })

  it('an overwrite releases the old chunks; a chunk shared with the new version is kept', async () => {
    const shared = bytesOf(CHUNK, 3)
    await t.service.putFile('/f', piecesOf(Buffer.concat([shared, bytesOf(CHUNK, 4)])))
    await t.service.putFile('/f', piecesOf(Buffer.concat([shared, bytesOf(CHUNK, 5)])))
    clockMs += GRACE_MS
    const report = await t.service.collectGarbage()
    assert.deepEqual([report.chunksRemoved, report.bytesFreed], [1, CHUNK])
    assert.equal(await countChunkFiles(t.dir), 2)
  })

  it('an explicit graceMs overrides the configured one and is validated', async () => {
    await t.service.putFile('/x', piecesOf(bytesOf(100, 6)))
    await t.service.deleteFile('/x')
    assert.equal((await t.service.collectGarbage({ graceMs: 0 })).chunksRemoved, 1)
    await assert.rejects(t.service.collectGarbage({ graceMs: -1 }), /graceMs/)
  })

  it('removes a chunk file with no row once older than the grace period, leaving foreign names alone', async () => {
    const live = await t.service.putFile('/o', piecesOf(bytesOf(1000, 7)))
    // an orphan: a sound chunk file under its id that SQLite does not know (crash before insert)
    const orphanBytes = bytesOf(1000, 8)
    const orphanCid = chunkCidFromSha256(Buffer.from(sha256Hex(orphanBytes), 'hex'))
    const orphanPath = chunkFile(t.dir, orphanCid)
    await mkdir(dirname(orphanPath), { recursive: true })
    await writeFile(orphanPath, orphanBytes)
    await writeFile(join(t.dir, 'chunks', 'not-a-cid'), 'left alone')
    await writeFile(join(dirname(orphanPath), 'also-not-a-cid'), 'left alone')

    clockMs += GRACE_MS
    assert.equal((await t.service.collectGarbage()).chunksRemoved, 0, 'a fresh orphan file is within grace (by mtime)')
    const old = (clockMs - GRACE_MS - 1000) / 1000
    await utimes(orphanPath, old, old)
    const report = await t.service.collectGarbage()
    assert.deepEqual([report.chunksRemoved, report.bytesFreed], [1, 1000])
    await assert.rejects(stat(orphanPath), /ENOENT/)
    assert.ok(await stat(join(t.dir, 'chunks', 'not-a-cid')))
    assert.ok(await stat(join(dirname(orphanPath), 'also-not-a-cid')))
    assert.ok((await collect((await t.service.readFile(live.path)).body)).equals(bytesOf(1000, 7)))
  })

  it('a row whose file vanished is dropped if unreferenced and marked bad if referenced', async () => {
    const live = await t.service.putFile('/live', piecesOf(bytesOf(500, 9)))
    const dead = await t.service.putFile('/dead', piecesOf(bytesOf(600, 10)))
    await t.service.deleteFile('/dead')
    await unlink(chunkFile(t.dir, live.chunks[0]?.cid as string))
    await unlink(chunkFile(t.dir, dead.chunks[0]?.cid as string))
    clockMs += GRACE_MS
    const report = await t.service.collectGarbage()
    assert.deepEqual([report.chunksRemoved, report.bytesFreed], [0, 0], 'nothing on disk was freed')
    const status = await t.service.status()
    assert.deepEqual([status.chunks, status.badChunks], [1, 1])
  })

  it('removes temp files older than the grace period and keeps younger ones', async () => {
    const tmp = join(t.dir, 'tmp')
    await writeFile(join(tmp, 'old.tmp'), 'x')
    await writeFile(join(tmp, 'young.tmp'), 'y')
    const old = (clockMs - GRACE_MS - 1000) / 1000
    await utimes(join(tmp, 'old.tmp'), old, old)
    const report = await t.service.collectGarbage()
    assert.equal(report.tempFilesRemoved, 1)
    assert.deepEqual(await readdir(tmp), ['young.tmp'])
  })

  it('opening the service sweeps temp files older than the grace period', async () => {
    const tmp = join(t.dir, 'tmp')
    await writeFile(join(tmp, 'crashed.tmp'), 'partial chunk')
    await writeFile(join(tmp, 'recent.tmp'), 'maybe another upload')
    const old = (Date.now() - GRACE_MS - 1000) / 1000
    await utimes(join(tmp, 'crashed.tmp'), old, old)
    await t.service.close()
    const reopened = await openTestService({ gcGraceMs: GRACE_MS }, {}, t.dir)
    try {
      assert.deepEqual(await readdir(tmp), ['recent.tmp'])
    } finally {
      await reopened.service.close()
    }
  })

  it('chunks of an upload in flight survive GC (any grace) and the upload then completes', async () => {
    let resume!: () => void
    const paused = new Promise<void>((resolve) => { resume = resolve })
    let reachedPause!: () => void
    const atPause = new Promise<void>((resolve) => { reachedPause = resolve })
    const bytes = bytesOf(3 * CHUNK + 5, 11)
    async function * slow (): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 2 * CHUNK + 100)
      reachedPause()
      await paused
      yield bytes.subarray(2 * CHUNK + 100)
    }
    const upload = t.service.putFile('/slow', slow())
    await atPause
    // let the second chunk's commit finish
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(await countChunkFiles(t.dir), 2)
    assert.equal((await t.service.collectGarbage()).chunksRemoved, 0, 'within grace')
    clockMs += 10 * GRACE_MS
    const report = await t.service.collectGarbage({ graceMs: 0 })
    assert.equal(report.chunksRemoved, 0, 'pinned chunks were collected')
    assert.equal(report.tempFilesRemoved, 0, 'the open temp file was swept')
    resume()
    const record = await upload
    assert.ok((await collect((await t.service.readFile(record.path)).body)).equals(bytes))
  })

  // Cached copies: what a cluster peer keeps of a chunk it fetched for a read. They are made
  // here the way a read makes them (the row says 'absent', the file is gone, then the bytes
  // are stored with `cached`), and checked: evicted once unread for the grace period (the row
  // stays, 'absent', still referenced), kept while read, never confused with copies either way.
  describe('cached copies fetched for reads', () => {
    async function putOneChunk (path: string, seed: number): Promise<{ cid: string, bytes: Buffer }> {
      const bytes = bytesOf(CHUNK, seed)
      const record = await t.service.putFile(path, piecesOf(bytes))
      return { cid: (record.chunks[0] as { cid: string }).cid, bytes }
    }

    /** leaves the chunk referenced but not held, then stores it again as a read would */
    async function refetch (cid: string, bytes: Buffer, cached: boolean): Promise<void> {
      await unlink(chunkFile(t.dir, cid))
      t.service.chunkIndex.markState(cid, 'absent')
      const writer = await t.service.chunkStore.createWriter()
      await writer.write(bytes)
      const { release } = await t.service.chunkStore.commit(writer, { expectedCid: cid, cached })
      release()
    }

    it('evicts a cached copy unread for the grace period; the row stays, referenced and absent', async () => {
      const copy = await putOneChunk('/copy', 1)
      const read = await putOneChunk('/read', 2)
      await refetch(read.cid, read.bytes, true)
      assert.equal((await t.service.status()).cachedChunks, 1)

      clockMs += GRACE_MS - 1
      assert.equal((await t.service.collectGarbage()).cachedEvicted, 0, 'inside the grace period')
      clockMs += 1
      const report = await t.service.collectGarbage()
      assert.deepEqual([report.cachedEvicted, report.chunksRemoved, report.bytesFreed], [1, 1, CHUNK])
      const row = t.service.chunkIndex.get(read.cid)
      assert.deepEqual([row?.state, row?.refcount, row?.cached], ['absent', 1, false])
      await assert.rejects(stat(chunkFile(t.dir, read.cid)), { code: 'ENOENT' })
      assert.equal(t.service.chunkIndex.get(copy.cid)?.state, 'ok', 'a copy as old is never evicted')
      const status = await t.service.status()
      assert.deepEqual([status.chunks, status.cachedChunks], [1, 0])
    })

    it('a read of the file restarts the grace period of a cached copy', async () => {
      const read = await putOneChunk('/read', 3)
      await refetch(read.cid, read.bytes, true)
      clockMs += GRACE_MS
      assert.ok((await collect((await t.service.readFile('/read')).body)).equals(read.bytes))
      assert.equal((await t.service.collectGarbage()).cachedEvicted, 0)
      clockMs += GRACE_MS
      assert.equal((await t.service.collectGarbage()).cachedEvicted, 1)
    })

    it('storing as a copy, or keepAsCopy, makes a cached copy a copy; a cached store never demotes a copy', async () => {
      const a = await putOneChunk('/a', 4)
      const b = await putOneChunk('/b', 5)
      const c = await putOneChunk('/c', 6)
      await refetch(a.cid, a.bytes, true)
      await refetch(b.cid, b.bytes, true)
      // a push of the same bytes (stored, not cached) over the cached copy
      const writer = await t.service.chunkStore.createWriter()
      await writer.write(a.bytes)
      ;(await t.service.chunkStore.commit(writer, { expectedCid: a.cid })).release()
      assert.equal(t.service.chunkIndex.keepAsCopy(b.cid), true, 'a cached copy is kept')
      // an ordinary copy is already what the caller asks for (nothing is written for it)
      assert.equal(t.service.chunkIndex.keepAsCopy(a.cid), true, 'an ordinary copy is kept')
      // a read's store over a copy (a bad copy healed through the read path keeps its rank too)
      t.service.chunkIndex.markState(c.cid, 'bad')
      t.service.chunkIndex.recordStored(c.cid, CHUNK, clockMs, { cached: true })
      assert.deepEqual([a, b, c].map((x) => t.service.chunkIndex.get(x.cid)?.cached), [false, false, false])
      clockMs += 10 * GRACE_MS
      assert.equal((await t.service.collectGarbage()).cachedEvicted, 0)
      assert.equal(await countChunkFiles(t.dir), 3)
    })

    it('a pinned cached copy (a read has it open) is not evicted', async () => {
      const read = await putOneChunk('/read', 7)
      await refetch(read.cid, read.bytes, true)
      const body = (await t.service.readFile('/read')).body[Symbol.asyncIterator]()
      await body.next()
      clockMs += 2 * GRACE_MS
      assert.equal((await t.service.collectGarbage()).cachedEvicted, 0)
      await body.return?.(undefined)
    })

    it('a read lets go of each chunk once streamed: a passed one may be evicted, those ahead not', async () => {
      const bytes = bytesOf(3 * CHUNK, 8)
      const record = await t.service.putFile('/three', piecesOf(bytes))
      const cids = record.chunks.map((c) => c.cid)
      assert.equal(new Set(cids).size, 3)
      for (const [i, cid] of cids.entries()) await refetch(cid, bytes.subarray(i * CHUNK, (i + 1) * CHUNK), true)
      const body = (await t.service.readFile('/three')).body[Symbol.asyncIterator]()
      let readBytes = 0
      while (readBytes <= CHUNK) readBytes += ((await body.next()).value as Uint8Array).byteLength
      clockMs += 2 * GRACE_MS
      const report = await t.service.collectGarbage()
      assert.equal(report.cachedEvicted, 1, 'the first chunk, already streamed, was kept; or a chunk ahead was taken')
      assert.equal(t.service.chunkIndex.get(cids[0] as string)?.state, 'absent')
      await body.return?.(undefined)
    })

    // --reserve 0 once turned the room ledger off: nothing was then evicted, and a full disk
    // was found only by a failing write
    for (const reserveBytes of [10 * CHUNK, 0]) {
      it(`a put that would eat into a reserve of ${reserveBytes} bytes evicts cached copies first; a put claims only the size it declares`, async () => {
        await t.cleanup()
        // a disk of the reserve and room for two chunks, less what the chunk files take
        let capacityBytes = reserveBytes + 2 * CHUNK
        let dataDir = ''
        const freeBytes = async (): Promise<number> => {
          let used = 0
          for (const file of await listChunkFiles(dataDir)) used += (await stat(file)).size
          return capacityBytes - used
        }
        t = await openTestService({ gcGraceMs: GRACE_MS, reservedFreeBytes: reserveBytes }, { nowMs: () => clockMs, freeBytes })
        dataDir = t.dir

        const cachedOne = await putOneChunk('/cached', 11)
        await refetch(cachedOne.cid, cachedOne.bytes, true)
        await putOneChunk('/second', 12)
        // no room left for a third chunk but the cached copy's: it goes, still inside its grace
        const third = await putOneChunk('/third', 13)
        assert.equal(t.service.chunkIndex.get(cachedOne.cid)?.state, 'absent', 'the cached copy was not evicted for room')
        assert.equal(t.service.chunkIndex.get(third.cid)?.state, 'ok')
        // nothing cached is left: the next chunk does not fit, and nothing of it is stored
        await rejectsWith(t.service.putFile('/fourth', piecesOf(bytesOf(CHUNK, 14))), 'NO_SPACE', reserveBytes > 0 ? /--reserve/ : /no room for/)
        assert.equal((await listChunkFiles(dataDir)).length, 2)

        // room for half a chunk: a small put that says its size claims that much and fits; the
        // same bytes without a declared size claim a whole chunk, and do not
        capacityBytes += CHUNK / 2
        const small = bytesOf(1000, 15)
        await rejectsWith(t.service.putFile('/small', piecesOf(small)), 'NO_SPACE')
        assert.ok(await t.service.putFile('/small', piecesOf(small), { expectedSizeBytes: small.byteLength }))
      })
    }

    it('a put waiting for disk room gives up its turn when its client goes', async () => {
      await t.cleanup()
      // the file system never answers: the put's claim waits for its reading
      t = await openTestService({ gcGraceMs: GRACE_MS, reservedFreeBytes: CHUNK }, { nowMs: () => clockMs, freeBytes: async () => await new Promise<number>(() => {}) })
      const client = new AbortController()
      const upload = t.service.putFile('/waiting', piecesOf(bytesOf(CHUNK, 21)), { signal: client.signal })
      await new Promise((resolve) => setTimeout(resolve, 50))
      client.abort(new Error('the client went away (test)'))
      const outcome = await Promise.race([upload.then(() => 'stored', () => 'ended'), new Promise((resolve) => setTimeout(() => { resolve('still waiting') }, 5000))])
      assert.equal(outcome, 'ended')
      assert.deepEqual(await listChunkFiles(t.dir), [])
    })

    it('close() waits for an eviction making room, and a closed service claims no room', async () => {
      await t.cleanup()
      let full = false
      let confirmAsked: () => void = () => {}
      const asked = new Promise<void>((resolve) => { confirmAsked = resolve })
      let confirm: () => void = () => {}
      const confirmed = new Promise<void>((resolve) => { confirm = resolve })
      t = await openTestService({ gcGraceMs: GRACE_MS, reservedFreeBytes: CHUNK }, {
        nowMs: () => clockMs,
        freeBytes: async () => full ? CHUNK : 100 * CHUNK,
        cluster: {
          // a one-peer log: applied here at the next index
          applyCommand: async (command) => t.service.namespace.apply(t.service.namespace.appliedIndex + 1, command),
          readBarrier: async () => {},
          checkReplication: () => {},
          replicateChunk: async () => {},
          openRead: () => ({ beforeOpen: async () => {} }),
          chunkRemoved: () => {},
          // a peer slow to confirm that it holds a copy
          confirmEvictable: async (cids) => { confirmAsked(); await confirmed; return new Set(cids) }
        }
      })
      const { cid, bytes } = await putOneChunk('/cached', 22)
      await refetch(cid, bytes, true)
      full = true
      // more than the last reading of the free space leaves: the disk is read again, found full
      const claim = t.service.claimRoom(200 * CHUNK, 'a test chunk').then((release) => { release() }, () => {})
      await asked
      let closed = false
      const closing = t.service.close().then(() => { closed = true })
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(closed, false, 'close() did not wait for the eviction under way')
      confirm()
      await closing
      await claim
      await rejectsWith(t.service.claimRoom(1, 'after close'), 'SHUTTING_DOWN')
    })
  })
})
