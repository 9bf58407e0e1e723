// Checks the chunk store on real files: a chunk lands under chunks/<fan-out>/<cid> only after
// it is complete (never visible mid-write, temp removed on failure), identical chunks are
// stored once even when committed concurrently, a flipped byte is caught by the re-hash
// (CHUNK_CORRUPT, state bad) and a re-upload heals it, and full-disk / I/O failures injected
// at the file-system boundary become NO_SPACE / STORAGE_IO.
import { strict as assert } from 'node:assert'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { nodeChunkFs, type ChunkFs } from '../../src/store/chunk-fs.js'
import { ChunkFileStore } from '../../src/store/chunk-file-store.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { ChunkStore } from '../../src/store/chunk-store.js'
import { READ_PIECE_BYTES, readChunkRange } from '../../src/store/chunk-verify.js'
import { openDatabase, type Db } from '../../src/store/database.js'
import { KeyedLock } from '../../src/store/keyed-lock.js'
import { PinSet } from '../../src/store/pin-set.js'
import { bytesOf, collect, makeTempDir, rejectsWith, sha256Hex } from '../fixtures-storage/helpers.js'

function failingFs (code: string, afterWrites: number): ChunkFs {
  const real = nodeChunkFs()
  return {
    createExclusive: async (path) => {
      const handle = await real.createExclusive(path)
      let writes = 0
      return {
        write: async (buffer, offset, length) => {
          if (writes++ >= afterWrites) throw Object.assign(new Error(`${code}: injected`), { code })
          return await handle.write(buffer, offset, length)
        },
        datasync: async () => { await handle.datasync() },
        close: async () => { await handle.close() }
      }
    }
  }
}

describe('chunk store', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>
  let db: Db
  let files: ChunkFileStore
  let index: ChunkIndex
  let store: ChunkStore
  const corrupted: string[] = []

  async function setUp (fs?: ChunkFs): Promise<void> {
    files = new ChunkFileStore({ dataDir: temp.dir, writeBatchBytes: 16 * 1024, ...(fs === undefined ? {} : { fs }) })
    await files.init()
    store = new ChunkStore({ files, index, lock: new KeyedLock(), pins: new PinSet(), nowMs: () => 1000, onCorrupt: (cid) => corrupted.push(cid) })
  }

  beforeEach(async () => {
    temp = await makeTempDir()
    db = openDatabase(join(temp.dir, 'meta.sqlite'))
    index = new ChunkIndex(db)
    corrupted.length = 0
    await setUp()
  })

  afterEach(async () => {
    db.close()
    await temp.cleanup()
  })

  async function storeBytes (bytes: Uint8Array, pieceBytes = 5000): Promise<string> {
    const writer = await store.createWriter()
    for (let i = 0; i < bytes.byteLength; i += pieceBytes) await writer.write(bytes.subarray(i, i + pieceBytes))
    const { chunk, release } = await store.commit(writer)
    release()
    return chunk.cid
  }

  const tmpEntries = async (): Promise<string[]> => await readdir(files.tmpDir)

  it('files a chunk under its fan-out folder by id, with a row, and an empty tmp dir', async () => {
    const bytes = bytesOf(100_000)
    const cid = await storeBytes(bytes)
    assert.equal(cid, chunkCidFromSha256(Buffer.from(sha256Hex(bytes), 'hex')))
    const path = join(temp.dir, 'chunks', cid.slice(-3, -1), cid)
    assert.equal(files.chunkPath(cid), path)
    assert.ok((await readFile(path)).equals(bytes))
    assert.deepEqual(index.get(cid), { cid, sizeBytes: 100_000, refcount: 0, state: 'ok', createdAtMs: 1000, touchedAtMs: 1000, cached: false, timesStored: 1 })
    assert.deepEqual(await tmpEntries(), [])
  })

  it('a chunk mid-write exists only as a temp file, never under any id', async () => {
    const writer = await store.createWriter()
    await writer.write(bytesOf(50_000))
    assert.equal((await tmpEntries()).length, 1)
    const listed = []
    for await (const f of files.listChunkFiles()) listed.push(f)
    assert.deepEqual(listed, [])
    // "crash": the writer is abandoned; the sweep (as at startup) removes the leftover
    assert.equal(await files.sweepTemp(Date.now() + 1000), 0, 'an open writer is never swept')
    await writer.abort()
    assert.deepEqual(await tmpEntries(), [])
    await writeFile(join(files.tmpDir, 'leftover-from-crash.tmp'), 'partial')
    assert.equal(await files.sweepTemp(Date.now() - 60_000), 0, 'younger than grace: kept')
    assert.equal(await files.sweepTemp(Date.now() + 1000), 1)
    assert.deepEqual(await tmpEntries(), [])
  })

  it('identical chunks are stored once, also when committed concurrently', async () => {
    const bytes = bytesOf(70_000, 7)
    const [a, b, c] = await Promise.all([storeBytes(bytes), storeBytes(bytes, 999), storeBytes(bytes, 70_000)])
    assert.equal(a, b)
    assert.equal(b, c)
    const listed = []
    for await (const f of files.listChunkFiles()) listed.push(f.cid)
    assert.deepEqual(listed, [a])
    assert.deepEqual(await tmpEntries(), [])
  })

  it('serves verified bytes; a flipped byte gives CHUNK_CORRUPT, marks it bad, and a re-upload heals it', async () => {
    const bytes = bytesOf(80_000, 3)
    const cid = await storeBytes(bytes)
    const scratch = Buffer.alloc(READ_PIECE_BYTES)
    const handle = await store.openVerified(cid, 80_000, scratch)
    assert.ok((await collect(readChunkRange(handle, cid, 10, 70_010))).equals(bytes.subarray(10, 70_010)))
    await handle.close()

    const onDisk = await readFile(files.chunkPath(cid))
    onDisk[12345] = (onDisk[12345] as number) ^ 0x01
    await writeFile(files.chunkPath(cid), onDisk)
    await rejectsWith(store.openVerified(cid, 80_000, scratch), 'CHUNK_CORRUPT', /sha-256 does not match/)
    assert.equal(index.get(cid)?.state, 'bad')
    assert.deepEqual(corrupted, [cid])
    await rejectsWith(store.openVerified(cid, 80_000, scratch), 'CHUNK_CORRUPT', /marked bad/)

    assert.equal(await storeBytes(bytes), cid)
    assert.equal(index.get(cid)?.state, 'ok')
    assert.ok((await readFile(files.chunkPath(cid))).equals(bytes))
    await (await store.openVerified(cid, 80_000, scratch)).close()
  })

  it('commit with an expected id stores matching bytes and discards anything else', async () => {
    const bytes = bytesOf(3000, 13)
    const cid = chunkCidFromSha256(Buffer.from(sha256Hex(bytes), 'hex'))
    const good = await store.createWriter()
    await good.write(bytes)
    const stored = await store.commit(good, { expectedCid: cid })
    stored.release()
    assert.equal(stored.chunk.cid, cid)
    const bad = await store.createWriter()
    await bad.write(bytesOf(3000, 14))
    const err = await rejectsWith(store.commit(bad, { expectedCid: cid }), 'CHECKSUM_MISMATCH', /not the expected chunk/)
    assert.equal(err.details?.expectedCid, cid)
    assert.deepEqual(await tmpEntries(), [])
    const listed = []
    for await (const f of files.listChunkFiles()) listed.push(f.cid)
    assert.deepEqual(listed, [cid])
  })

  it('a truncated file, or a missing file still referenced, is CHUNK_CORRUPT; an unknown or collected id is CHUNK_NOT_FOUND', async () => {
    const cid = await storeBytes(bytesOf(1000, 4))
    await writeFile(files.chunkPath(cid), bytesOf(999, 4))
    await rejectsWith(store.openVerified(cid, null, Buffer.alloc(1024)), 'CHUNK_CORRUPT', /size is 999 bytes, expected 1000/)
    const other = await storeBytes(bytesOf(1000, 5))
    await files.remove(other)
    await rejectsWith(store.openVerified(other, null, Buffer.alloc(1024)), 'CHUNK_NOT_FOUND', /no longer stored/)
    assert.equal(index.get(other)?.state, 'ok', 'an unreferenced chunk that went away is not damage')
    index.addRefs([{ cid: other, sizeBytes: 1000 }], 2000)
    await rejectsWith(store.openVerified(other, null, Buffer.alloc(1024)), 'CHUNK_CORRUPT', /missing/)
    assert.equal(index.get(other)?.state, 'bad')
    await rejectsWith(store.openVerified(chunkCidFromSha256(Buffer.alloc(32)), null, Buffer.alloc(1024)), 'CHUNK_NOT_FOUND')
  })

  it('batches small pieces into full-size writes and passes large pieces straight through', async () => {
    const writeSizes: number[] = []
    const real = nodeChunkFs()
    await setUp({
      createExclusive: async (path) => {
        const handle = await real.createExclusive(path)
        return {
          write: async (buffer, offset, length) => {
            writeSizes.push(length)
            return await handle.write(buffer, offset, length)
          },
          datasync: async () => { await handle.datasync() },
          close: async () => { await handle.close() }
        }
      }
    })
    const bytes = bytesOf(100_000, 12)
    await storeBytes(bytes, 1000)
    assert.deepEqual(writeSizes, [16_000, 16_000, 16_000, 16_000, 16_000, 16_000, 4000])
    writeSizes.length = 0
    const writer = await store.createWriter()
    await writer.write(bytes.subarray(0, 10))
    await writer.write(bytes.subarray(10, 50_010))
    await writer.write(bytes.subarray(50_010))
    const { chunk, release } = await store.commit(writer)
    release()
    assert.deepEqual(writeSizes, [10, 50_000, 49_990])
    assert.ok((await readFile(files.chunkPath(chunk.cid))).equals(bytes))
  })

  it('ENOSPC from a write is NO_SPACE and other errors STORAGE_IO; the temp file is removed', async () => {
    await setUp(failingFs('ENOSPC', 2))
    await rejectsWith(storeBytes(bytesOf(100_000)), 'NO_SPACE', /no space left/)
    await setUp(failingFs('EIO', 0))
    await rejectsWith(storeBytes(bytesOf(100_000)), 'STORAGE_IO', /EIO/)
    assert.deepEqual(await tmpEntries(), [])
    assert.equal(files.activeTempCount, 0)
  })
})

describe('keyed lock and pins', () => {
  it('runs critical sections of one key one at a time, other keys in parallel', async () => {
    const lock = new KeyedLock()
    const events: string[] = []
    const section = (key: string, name: string, ms: number): Promise<void> => lock.run(key, async () => {
      events.push(`${name}+`)
      await new Promise((resolve) => setTimeout(resolve, ms))
      events.push(`${name}-`)
    })
    await Promise.all([section('k', 'a', 20), section('k', 'b', 1), section('j', 'c', 1)])
    assert.ok(events.indexOf('a-') < events.indexOf('b+'), `b entered before a left: ${events.join(' ')}`)
    assert.ok(events.indexOf('c-') < events.indexOf('a-'), 'another key was blocked')
    assert.equal(lock.heldKeys, 0)
  })

  it('pins are counted and release is idempotent', () => {
    const pins = new PinSet()
    const r1 = pins.pin(['x', 'x', 'y'])
    const r2 = pins.pin(['x'])
    r1()
    r1()
    assert.ok(pins.isPinned('x'))
    assert.ok(!pins.isPinned('y'))
    r2()
    assert.equal(pins.size, 0)
  })
})
