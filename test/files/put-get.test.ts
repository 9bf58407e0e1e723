// Checks the put and get pipelines of the local file service end to end on real files and a
// real SQLite database (64 KiB chunks): edge sizes round-trip byte for byte with the right
// chunking and SHA-256; range reads across chunk boundaries; dedup shows in physical vs logical
// bytes; aborted or failing uploads and size/checksum/limit/precondition failures leave
// nothing visible and an empty temp dir; overwrite under a streaming reader keeps the old
// version whole; corruption is detected before bytes are served; listing pages; persistence.
import { strict as assert } from 'node:assert'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { PassThrough } from 'node:stream'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { JadfsError, isJadfsError } from '../../src/errors.js'
import type { ClusterHooks } from '../../src/files/cluster-hooks.js'
import type { FileRecord } from '../../src/files/file-service.js'
import { fileSizeLimit } from '../../src/files/put-pipeline.js'
import { MAX_REPLICATION_FACTOR } from '../../src/files/replication-limit.js'
import { MAX_CHUNKS_PER_FILE } from '../../src/namespace/commands.js'
import { nodeChunkFs, type ChunkFs } from '../../src/store/chunk-fs.js'
import { receiveChunk } from '../../src/store/receive-chunk.js'
import { listChunkFiles } from '../helpers/chunk-files.js'
import { waitUntil } from '../helpers/cluster-http.js'
import { bytesOf, collect, openTestService, piecesOf, rejectsWith, sha256Hex, TEST_CHUNK_BYTES, type OpenedService } from '../fixtures-storage/helpers.js'

const CHUNK = TEST_CHUNK_BYTES

function chunkFile (dir: string, cid: string): string {
  return join(dir, 'chunks', cid.slice(-3, -1), cid)
}

describe('local file service: put and get', () => {
  let t: OpenedService

  beforeEach(async () => { t = await openTestService() })
  afterEach(async () => { await t.cleanup() })

  const tmpEntries = async (): Promise<string[]> => await readdir(join(t.dir, 'tmp'))

  async function put (path: string, bytes: Uint8Array, pieceBytes?: number): Promise<FileRecord> {
    return await t.service.putFile(path, piecesOf(bytes, pieceBytes))
  }

  async function get (path: string, rangeHeader?: string): Promise<Buffer> {
    const handle = await t.service.readFile(path, rangeHeader === undefined ? {} : { rangeHeader })
    return await collect(handle.body)
  }

  for (const [name, sizeBytes, chunks] of [
    ['empty', 0, 0], ['1 byte', 1, 1], ['exactly one chunk', CHUNK, 1], ['one chunk + 1 byte', CHUNK + 1, 2], ['3 chunks + 5', 3 * CHUNK + 5, 4]
  ] as const) {
    it(`round-trips ${name} (${sizeBytes} bytes in ${chunks} chunks)`, async () => {
      const bytes = bytesOf(sizeBytes, sizeBytes + 1)
      const record = await put('/edge/file', bytes, 10_000)
      assert.equal(record.sizeBytes, sizeBytes)
      assert.equal(record.sha256, sha256Hex(bytes))
      assert.equal(record.chunks.length, chunks)
      assert.equal(record.version, 1)
      assert.deepEqual(await t.service.statFile('/edge/file'), record)
      assert.ok((await get('/edge/file')).equals(bytes))
      assert.deepEqual(await tmpEntries(), [])
    })
  }

  it('the empty file has the SHA-256 of nothing', async () => {
    const record = await put('/empty', Buffer.alloc(0))
    assert.equal(record.sha256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    await rejectsWith(t.service.readFile('/empty', { rangeHeader: 'bytes=0-' }), 'INVALID_RANGE')
  })

  it('serves ranges across chunk boundaries exactly', async () => {
    const bytes = bytesOf(3 * CHUNK + 100, 9)
    await put('/r', bytes)
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      [`bytes=${CHUNK - 1}-${CHUNK}`, CHUNK - 1, CHUNK],
      [`bytes=${CHUNK}-${2 * CHUNK - 1}`, CHUNK, 2 * CHUNK - 1],
      [`bytes=${CHUNK - 10}-${3 * CHUNK + 10}`, CHUNK - 10, 3 * CHUNK + 10],
      [`bytes=${3 * CHUNK}-`, 3 * CHUNK, bytes.byteLength - 1],
      ['bytes=-1', bytes.byteLength - 1, bytes.byteLength - 1],
      ['bytes=-150', bytes.byteLength - 150, bytes.byteLength - 1]
    ]
    for (const [header, start, end] of cases) {
      const handle = await t.service.readFile('/r', { rangeHeader: header })
      assert.deepEqual(handle.range, { start, end }, header)
      assert.ok((await collect(handle.body)).equals(bytes.subarray(start, end + 1)), header)
    }
    await rejectsWith(t.service.readFile('/r', { rangeHeader: `bytes=${bytes.byteLength}-` }), 'INVALID_RANGE')
    await rejectsWith(t.service.readFile('/r', { rangeHeader: 'bytes=0-1,5-6' }), 'INVALID_RANGE')
  })

  it('stores identical chunks once: physical bytes count each distinct chunk once', async () => {
    const bytes = bytesOf(2 * CHUNK + 10, 11)
    const a = await put('/dup/a', bytes)
    const b = await put('/dup/b', bytes, 3333)
    assert.deepEqual(a.chunks, b.chunks)
    await put('/dup/zeros', Buffer.alloc(3 * CHUNK))
    const status = await t.service.status()
    assert.equal(status.files, 3)
    assert.equal(status.logicalBytes, 2 * bytes.byteLength + 3 * CHUNK)
    assert.equal(status.physicalBytes, bytes.byteLength + CHUNK)
    assert.equal(status.chunks, 4)
    assert.equal(status.appliedIndex, 3)
    assert.ok(status.diskTotalBytes > 0 && status.diskFreeBytes > 0 && status.diskFreeBytes <= status.diskTotalBytes)
    assert.equal(status.dataDir, t.dir)
    let onDisk = 0
    for (const dir of await readdir(join(t.dir, 'chunks'))) onDisk += (await readdir(join(t.dir, 'chunks', dir))).length
    assert.equal(onDisk, 4)
  })

  it('an abort mid-upload (even while the source is stalled) stores nothing and empties tmp', async () => {
    const controller = new AbortController()
    let pulled = 0
    async function * stalling (): AsyncGenerator<Uint8Array> {
      yield bytesOf(CHUNK + 500, 1)
      pulled++
      controller.abort(new Error('client went away'))
      await new Promise(() => {})
    }
    await rejectsWith(t.service.putFile('/aborted', stalling(), { signal: controller.signal }), 'UPLOAD_INCOMPLETE', /aborted/)
    assert.equal(pulled, 1)
    await rejectsWith(t.service.statFile('/aborted'), 'FILE_NOT_FOUND')
    assert.deepEqual(await tmpEntries(), [])
    const status = await t.service.status()
    assert.equal(status.files, 0)
    assert.equal(status.appliedIndex, 0)
  })

  it('a source that throws (disconnect) stores nothing: the chunk it had committed goes at once', async () => {
    async function * failing (): AsyncGenerator<Uint8Array> {
      yield bytesOf(CHUNK + 100, 2)
      throw new Error('ECONNRESET')
    }
    await rejectsWith(t.service.putFile('/broken', failing()), 'UPLOAD_INCOMPLETE', /disconnected/)
    await rejectsWith(t.service.statFile('/broken'), 'FILE_NOT_FOUND')
    assert.deepEqual(await tmpEntries(), [])
    const status = await t.service.status()
    assert.deepEqual([status.chunks, status.physicalBytes, status.logicalBytes], [0, 0, 0], 'the full first chunk, committed before the failure, was left behind')
    assert.equal((await t.service.collectGarbage({ graceMs: 0 })).chunksRemoved, 0)
  })

  it('a failed put keeps the chunks it shares with a stored file', async () => {
    const shared = bytesOf(CHUNK, 3)
    await t.service.putFile('/kept', piecesOf(shared))
    async function * failing (): AsyncGenerator<Uint8Array> {
      yield Buffer.concat([shared, bytesOf(CHUNK + 100, 4)])
      throw new Error('ECONNRESET')
    }
    await rejectsWith(t.service.putFile('/broken', failing()), 'UPLOAD_INCOMPLETE', /disconnected/)
    assert.equal((await t.service.status()).chunks, 1, 'the shared chunk was removed, or the new one left')
    assert.ok((await collect((await t.service.readFile('/kept')).body)).equals(shared))
  })

  it('declared size and checksum are enforced', async () => {
    const bytes = bytesOf(CHUNK + 7, 5)
    await rejectsWith(t.service.putFile('/s', piecesOf(bytes), { expectedSizeBytes: bytes.byteLength + 1 }), 'UPLOAD_INCOMPLETE', /received 65543 of the declared 65544/)
    await rejectsWith(t.service.putFile('/s', piecesOf(bytes), { expectedSizeBytes: bytes.byteLength - 1 }), 'INVALID_ARGUMENT', /longer than the declared/)
    await rejectsWith(t.service.putFile('/s', piecesOf(bytes), { expectedSha256: 'a'.repeat(64) }), 'CHECKSUM_MISMATCH')
    await rejectsWith(t.service.putFile('/s', piecesOf(bytes), { expectedSha256: 'xyz' }), 'INVALID_ARGUMENT', /64 hex/)
    await rejectsWith(t.service.statFile('/s'), 'FILE_NOT_FOUND')
    const ok = await t.service.putFile('/s', piecesOf(bytes), { expectedSizeBytes: bytes.byteLength, expectedSha256: sha256Hex(bytes).toUpperCase() })
    assert.equal(ok.sha256, sha256Hex(bytes))
    assert.deepEqual(await tmpEntries(), [])
  })

  it('rejects bad options with INVALID_ARGUMENT and bad paths with INVALID_PATH before reading', async () => {
    let pulled = false
    async function * body (): AsyncGenerator<Uint8Array> { pulled = true; yield Buffer.from('x') }
    await rejectsWith(t.service.putFile('/a/../b', body()), 'INVALID_PATH')
    await rejectsWith(t.service.putFile('/c', body(), { chunkSizeBytes: 1000 }), 'INVALID_ARGUMENT', /64 KiB/)
    await rejectsWith(t.service.putFile('/c', body(), { replication: { factor: 0 } }), 'INVALID_ARGUMENT', /replication factor/)
    await rejectsWith(t.service.putFile('/c', body(), { ifVersion: -1 }), 'INVALID_ARGUMENT')
    assert.equal(pulled, false)
    const record = await t.service.putFile('/c', body(), { chunkSizeBytes: 128 * 1024, replication: { factor: 1, mode: 'async' } })
    assert.equal(record.chunkSizeBytes, 128 * 1024)
    assert.deepEqual(record.replication, { factor: 1, mode: 'async' })
  })

  it('takes a replication factor of exactly MAX_REPLICATION_FACTOR (the HTTP API\'s bound too) and refuses one more', async () => {
    // the service and the HTTP route once disagreed (64 and 16): a caller of the service
    // could record a factor no HTTP client could ask for
    const over = t.service.putFile('/r', piecesOf(Buffer.from('x')), { replication: { factor: MAX_REPLICATION_FACTOR + 1 } })
    await rejectsWith(over, 'INVALID_ARGUMENT', /replication factor must be an integer from 1 to 16, got 17/)
    const record = await t.service.putFile('/r', piecesOf(Buffer.from('x')), { replication: { factor: MAX_REPLICATION_FACTOR } })
    assert.deepEqual(record.replication, { factor: 16, mode: 'sync' })
  })

  it('ifVersion guards create and overwrite; delete honours it too', async () => {
    await t.service.putFile('/v', piecesOf(Buffer.from('one')), { ifVersion: 0 })
    await rejectsWith(t.service.putFile('/v', piecesOf(Buffer.from('two')), { ifVersion: 0 }), 'PRECONDITION_FAILED', /already exists/)
    const v2 = await t.service.putFile('/v', piecesOf(Buffer.from('two')), { ifVersion: 1 })
    assert.equal(v2.version, 2)
    await rejectsWith(t.service.deleteFile('/v', { ifVersion: 1 }), 'PRECONDITION_FAILED')
    assert.equal((await t.service.deleteFile('/v', { ifVersion: 2 })).version, 2)
    await rejectsWith(t.service.deleteFile('/v'), 'FILE_NOT_FOUND')
    assert.deepEqual(await tmpEntries(), [])
  })

  it('concurrent puts of one path each land whole; the last applied wins', async () => {
    const a = bytesOf(2 * CHUNK + 1, 21)
    const b = bytesOf(2 * CHUNK + 2, 22)
    const [ra, rb] = await Promise.all([put('/race', a, 5000), put('/race', b, 7000)])
    assert.deepEqual([ra.version, rb.version].sort(), [1, 2])
    const winner = ra.version === 2 ? a : b
    assert.ok((await get('/race')).equals(winner))
    const status = await t.service.status()
    assert.equal(status.logicalBytes, winner.byteLength)
  })

  it('a reader streaming an old version sees it whole across an overwrite and an immediate GC', async () => {
    const old = bytesOf(4 * CHUNK, 31)
    await put('/live', old)
    const handle = await t.service.readFile('/live')
    const iterator = handle.body[Symbol.asyncIterator]()
    const first = await iterator.next()
    assert.ok(first.done !== true)
    const replacement = bytesOf(4 * CHUNK, 32)
    await put('/live', replacement)
    const report = await t.service.collectGarbage({ graceMs: 0 })
    assert.equal(report.chunksRemoved, 0, 'pinned chunks of the open reader were collected')
    const parts = [Buffer.from(first.value)]
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) parts.push(Buffer.from(step.value))
    assert.ok(Buffer.concat(parts).equals(old))
    assert.ok((await get('/live')).equals(replacement))
    assert.equal((await t.service.collectGarbage({ graceMs: 0 })).chunksRemoved, 4, 'after the reader finished, the old chunks go')
  })

  it('a corrupted first chunk fails readFile; a corrupted later chunk errors the stream after good bytes only', async () => {
    const bytes = bytesOf(3 * CHUNK, 41)
    const record = await put('/c', bytes)
    const flip = async (cid: string, at: number): Promise<void> => {
      const data = await readFile(chunkFile(t.dir, cid))
      data[at] = (data[at] as number) ^ 0x80
      await writeFile(chunkFile(t.dir, cid), data)
    }
    await flip(record.chunks[1]?.cid as string, 100)
    const received: Buffer[] = []
    let failure: unknown
    try {
      for await (const part of (await t.service.readFile('/c')).body) received.push(Buffer.from(part))
    } catch (err) {
      failure = err
    }
    assert.ok(isJadfsError(failure, 'CHUNK_CORRUPT'), String(failure))
    assert.ok(Buffer.concat(received).equals(bytes.subarray(0, CHUNK)), 'only the verified first chunk was served')
    assert.equal((await t.service.status()).badChunks, 1)
    // a range that avoids the bad chunk still works
    assert.ok((await get('/c', `bytes=${2 * CHUNK}-`)).equals(bytes.subarray(2 * CHUNK)))

    await flip(record.chunks[0]?.cid as string, 0)
    await rejectsWith(t.service.readFile('/c'), 'CHUNK_CORRUPT')
    await rejectsWith(t.service.readChunk(record.chunks[0]?.cid as string), 'CHUNK_CORRUPT')
    assert.equal((await t.service.status()).badChunks, 2)
  })

  it('a body never pulled gives up its verified first chunk after the lease time', async () => {
    const leased = await openTestService({}, { firstChunkLeaseMs: 50 })
    try {
      const record = await leased.service.putFile('/l', piecesOf(bytesOf(2 * CHUNK, 81)))
      const handle = await leased.service.readFile('/l')
      await leased.service.deleteFile('/l')
      assert.equal((await leased.service.collectGarbage({ graceMs: 0 })).chunksRemoved, 1, 'the leased first chunk is pinned')
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal((await leased.service.collectGarbage({ graceMs: 0 })).chunksRemoved, 1, 'the expired lease let go')
      // pulling now finds the first chunk gone: an error, never wrong bytes
      await rejectsWith(collect(handle.body), 'CHUNK_NOT_FOUND')
      assert.equal(record.chunks.length, 2)
    } finally {
      await leased.cleanup()
    }
  })

  it('readChunk serves a verified chunk and validates ids', async () => {
    const bytes = bytesOf(CHUNK + 3, 51)
    const record = await put('/k', bytes)
    const second = record.chunks[1]
    assert.ok(second !== undefined)
    const chunk = await t.service.readChunk(second.cid)
    assert.equal(chunk.sizeBytes, 3)
    assert.ok((await collect(chunk.body)).equals(bytes.subarray(CHUNK)))
    await rejectsWith(t.service.readChunk('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), 'INVALID_CID')
    await rejectsWith(t.service.readChunk('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'), 'CHUNK_NOT_FOUND')
  })

  it('lists by prefix in pages with an opaque cursor', async () => {
    for (const path of ['/a/1', '/a/2', '/a/3', '/ab', '/b/1']) await put(path, Buffer.from(path))
    const page1 = await t.service.listFiles({ prefix: '/a/', limit: 2 })
    assert.deepEqual(page1.files.map((f) => f.path), ['/a/1', '/a/2'])
    assert.ok(page1.nextCursor !== undefined)
    const page2 = await t.service.listFiles({ prefix: '/a/', limit: 2, cursor: page1.nextCursor })
    assert.deepEqual(page2.files.map((f) => f.path), ['/a/3'])
    assert.equal(page2.nextCursor, undefined)
    assert.deepEqual((await t.service.listFiles({ prefix: '/a' })).files.map((f) => f.path), ['/a/1', '/a/2', '/a/3', '/ab'])
    assert.equal((await t.service.listFiles()).files.length, 5)
    await rejectsWith(t.service.listFiles({ limit: 0 }), 'INVALID_ARGUMENT')
    await rejectsWith(t.service.listFiles({ limit: 1001 }), 'INVALID_ARGUMENT')
    await rejectsWith(t.service.listFiles({ cursor: 'garbage!' }), 'INVALID_ARGUMENT')
    await rejectsWith(t.service.listFiles({ prefix: '/b/', cursor: page1.nextCursor }), 'INVALID_ARGUMENT', /another prefix/)
    await rejectsWith(t.service.listFiles({ prefix: 'a' }), 'INVALID_PATH')
  })

  it('its namespace snapshot restores into another node: same listing, chunks it lacks are not found', async () => {
    const record = await put('/snap/a', bytesOf(CHUNK + 1, 71))
    await put('/snap/b', Buffer.from('b'))
    const snapshot = t.service.namespace.snapshot()
    const other = await openTestService()
    try {
      other.service.namespace.restore(snapshot, t.service.namespace.appliedIndex)
      assert.deepEqual((await other.service.listFiles()).files, (await t.service.listFiles()).files)
      assert.equal((await other.service.status()).appliedIndex, 2)
      assert.equal((await other.service.status()).physicalBytes, 0)
      await rejectsWith(other.service.readFile('/snap/a'), 'CHUNK_NOT_FOUND')
      await rejectsWith(other.service.readChunk(record.chunks[0]?.cid as string), 'CHUNK_NOT_FOUND')
      // the next local command continues the log after the restored index
      assert.equal((await other.service.putFile('/snap/c', piecesOf(Buffer.from('c')))).version, 1)
      assert.equal((await other.service.status()).appliedIndex, 3)
    } finally {
      await other.cleanup()
    }
  })

  it('survives close and reopen with files, index and contents intact', async () => {
    const bytes = bytesOf(CHUNK + 9, 61)
    const record = await put('/persist', bytes)
    await t.service.close()
    await rejectsWith(t.service.statFile('/persist'), 'SHUTTING_DOWN')
    const reopened = await openTestService({}, {}, t.dir)
    try {
      assert.deepEqual(await reopened.service.statFile('/persist'), record)
      assert.equal((await reopened.service.status()).appliedIndex, 1)
      assert.ok((await collect((await reopened.service.readFile('/persist')).body)).equals(bytes))
    } finally {
      await reopened.service.close()
    }
  })
})

describe('local file service: limits and full disk', () => {
  it('rejects invalid configuration with INVALID_CONFIG naming the bounds', async () => {
    await rejectsWith(openTestService({ chunkSizeBytes: 1000 }), 'INVALID_CONFIG', /65536 \(64 KiB\) to 268435456 \(256 MiB\)/)
    await rejectsWith(openTestService({ gcGraceMs: -1 }), 'INVALID_CONFIG', /grace/)
    await rejectsWith(openTestService({ maxFileSizeBytes: 1.5 }), 'INVALID_CONFIG', /max file size/)
  })

  it('stops reading at the size limit with PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const t = await openTestService({ maxFileSizeBytes: 100_000 })
    try {
      let pulledBytes = 0
      async function * endless (): AsyncGenerator<Uint8Array> {
        while (true) {
          pulledBytes += 10_000
          yield bytesOf(10_000)
        }
      }
      await rejectsWith(t.service.putFile('/big', endless()), 'PAYLOAD_TOO_LARGE', /100000 bytes/)
      assert.ok(pulledBytes <= 110_000, `kept reading: ${pulledBytes}`)
      await rejectsWith(t.service.putFile('/big', piecesOf(Buffer.alloc(1)), { expectedSizeBytes: 100_001 }), 'PAYLOAD_TOO_LARGE')
      assert.ok(await t.service.putFile('/fits', piecesOf(bytesOf(100_000))))
      assert.deepEqual(await readdir(join(t.dir, 'tmp')), [])
      assert.equal((await t.service.status()).files, 1)
    } finally {
      await t.cleanup()
    }
  })

  it('refuses a file of more chunks than one namespace entry may list, by its declared size, at the limit', async () => {
    const t = await openTestService({ chunkSizeBytes: 65536 })
    try {
      const limitBytes = MAX_CHUNKS_PER_FILE * 65536
      await rejectsWith(t.service.putFile('/huge', piecesOf(Buffer.alloc(1)), { expectedSizeBytes: limitBytes + 1 }), 'PAYLOAD_TOO_LARGE', /at most 100000 chunks/)
      // exactly at the limit the upload is taken: it fails only because the body is 1 byte
      await rejectsWith(t.service.putFile('/huge', piecesOf(Buffer.alloc(1)), { expectedSizeBytes: limitBytes }), 'UPLOAD_INCOMPLETE')
      // with larger chunks the same size fits the chunk count
      assert.equal(fileSizeLimit(Number.MAX_SAFE_INTEGER, 65536 * 2).bytes, limitBytes * 2)
      assert.deepEqual(fileSizeLimit(1000, 65536), { bytes: 1000, byChunkCount: false })
    } finally {
      await t.cleanup()
    }
  })

  it('a put whose proposal times out keeps its chunks (the entry may still be applied); one refused before proposing removes them', async () => {
    let outcome: 'timeout' | 'apply' = 'timeout'
    let proposals = 0
    // what the put told the cluster it removed (a cluster withdraws those from the DHT)
    const removed: string[] = []
    const cluster: ClusterHooks = {
      applyCommand: async () => {
        proposals++
        if (outcome === 'timeout') throw new JadfsError('TIMEOUT', 'no answer from the leader (injected)')
        throw new JadfsError('NO_QUORUM', 'not reached (injected)')
      },
      readBarrier: async () => {},
      checkReplication: () => {},
      replicateChunk: async () => {},
      openRead: () => ({ beforeOpen: async () => {} }),
      chunkRemoved: (cid) => { removed.push(cid) },
      confirmEvictable: async (cids) => new Set(cids)
    }
    const t = await openTestService({}, { cluster })
    try {
      const bytes = bytesOf(3 * TEST_CHUNK_BYTES + 7)
      await rejectsWith(t.service.putFile('/maybe', piecesOf(bytes)), 'TIMEOUT')
      assert.equal(proposals, 1)
      assert.equal((await listChunkFiles(t.dir)).length, 4, 'the chunks a possibly applied entry names were removed')
      assert.deepEqual(removed, [])
      assert.deepEqual(await readdir(join(t.dir, 'tmp')), [])

      // refused before it is proposed (the declared hash is wrong): what it created goes at once
      outcome = 'apply'
      const other = bytesOf(2 * TEST_CHUNK_BYTES, 9)
      await rejectsWith(t.service.putFile('/wrong', piecesOf(other), { expectedSha256: 'ab'.repeat(32) }), 'CHECKSUM_MISMATCH')
      assert.equal(proposals, 1)
      assert.equal((await listChunkFiles(t.dir)).length, 4)
      // the two chunks it created were removed, and the cluster told of exactly those
      const created = [0, 1].map((i) => chunkCidFromSha256(Buffer.from(sha256Hex(other.subarray(i * TEST_CHUNK_BYTES, (i + 1) * TEST_CHUNK_BYTES)), 'hex')))
      assert.deepEqual([...removed].sort(), created.sort())
    } finally {
      await t.cleanup()
    }
  })

  /**
   * A service whose namespace bound leaves room for /first (already stored) and a few bytes,
   * not for a second file; firstBytes is the namespace size /first takes.
   */
  async function openFullAfter (first: Uint8Array): Promise<{ t: OpenedService, firstBytes: number }> {
    const sizing = await openTestService()
    await sizing.service.putFile('/first', piecesOf(first))
    const firstBytes = (await sizing.service.status()).namespaceBytes
    await sizing.cleanup()
    const t = await openTestService({ maxNamespaceSnapshotBytes: firstBytes + 50 })
    try {
      await t.service.putFile('/first', piecesOf(first))
    } catch (err) {
      await t.cleanup()
      throw err
    }
    return { t, firstBytes }
  }

  it('a full namespace refuses a declared upload before reading it, and one refused when applied leaves no chunks', async () => {
    const first = bytesOf(2 * TEST_CHUNK_BYTES, 3)
    const { t, firstBytes } = await openFullAfter(first)
    try {
      assert.equal((await t.service.status()).namespaceBytes, firstBytes)
      let pulled = 0
      async function * counted (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
        for await (const piece of piecesOf(bytes)) { pulled++; yield piece }
      }
      const second = bytesOf(TEST_CHUNK_BYTES + 9, 4)
      await rejectsWith(t.service.putFile('/second', counted(second), { expectedSizeBytes: second.byteLength }), 'NAMESPACE_FULL', /the namespace is full: \/second would take \d+ more bytes.*nothing was stored/)
      assert.equal(pulled, 0, 'the body was read although the forecast refused it')
      // undeclared size: refused only when applied, and what it created goes at once (a refusal
      // that was applied is final, unlike a timeout)
      await rejectsWith(t.service.putFile('/second', counted(second)), 'NAMESPACE_FULL', /nothing was stored/)
      assert.ok(pulled > 0)
      assert.equal((await listChunkFiles(t.dir)).length, 2, 'the refused put left its chunks behind')
      assert.deepEqual(await readdir(join(t.dir, 'tmp')), [])
      // a delete makes room again
      await t.service.deleteFile('/first')
      await t.service.putFile('/second', piecesOf(second), { expectedSizeBytes: second.byteLength })
    } finally {
      await t.cleanup()
    }
  })

  it('a put refused when applied keeps a chunk a peer pushed meanwhile (the file naming that copy is not applied here yet)', async () => {
    // A put with an undeclared size is refused NAMESPACE_FULL when applied. While its body
    // streams, a push of its first chunk arrives and is acknowledged (the receiver's pin is
    // released), as for another peer's upload of the same bytes. The refused put removes the
    // chunk it created alone and keeps the pushed one.
    const { t } = await openFullAfter(bytesOf(TEST_CHUNK_BYTES, 3))
    try {
      const second = bytesOf(2 * TEST_CHUNK_BYTES, 4)
      const pushedCid = chunkCidFromSha256(Buffer.from(sha256Hex(second.subarray(0, TEST_CHUNK_BYTES)), 'hex'))
      const otherCid = chunkCidFromSha256(Buffer.from(sha256Hex(second.subarray(TEST_CHUNK_BYTES)), 'hex'))
      assert.notEqual(pushedCid, otherCid)
      const chunkIds = async (): Promise<string[]> => (await listChunkFiles(t.dir)).map((p) => basename(p)).sort()
      async function * pushMidway (): AsyncGenerator<Uint8Array> {
        yield second.subarray(0, TEST_CHUNK_BYTES + 1)
        // the put has cut and is committing its first chunk
        await waitUntil('the put to commit its first chunk', async () => (await chunkIds()).includes(pushedCid), 5000, 10)
        const pushed = await receiveChunk(t.service.chunkStore, pushedCid, piecesOf(second.subarray(0, TEST_CHUNK_BYTES)))
        pushed.release()
        yield second.subarray(TEST_CHUNK_BYTES + 1)
      }
      await rejectsWith(t.service.putFile('/second', pushMidway()), 'NAMESPACE_FULL', /nothing was stored/)
      const kept = await chunkIds()
      assert.ok(kept.includes(pushedCid), 'the refused put removed the copy a peer had just pushed')
      assert.ok(!kept.includes(otherCid), 'the refused put left the chunk only it had stored')
      assert.equal(kept.length, 2, 'the first file\'s chunk and the pushed one')
    } finally {
      await t.cleanup()
    }
  })

  it('an upload refused mid-stream leaves the body open for the caller; an abort ends a stalled stream', async () => {
    const t = await openTestService({ maxFileSizeBytes: 100_000 })
    try {
      const tooBig = new PassThrough()
      tooBig.write(bytesOf(150_000))
      await rejectsWith(t.service.putFile('/big', tooBig), 'PAYLOAD_TOO_LARGE')
      assert.equal(tooBig.destroyed, false, 'the caller could no longer answer on this connection')
      tooBig.destroy()

      const controller = new AbortController()
      const gone = new PassThrough()
      gone.write(bytesOf(1000))
      const upload = t.service.putFile('/gone', gone, { signal: controller.signal })
      setTimeout(() => { controller.abort() }, 20)
      await rejectsWith(upload, 'UPLOAD_INCOMPLETE', /aborted/)
      gone.destroy()
      assert.deepEqual(await readdir(join(t.dir, 'tmp')), [])
    } finally {
      await t.cleanup()
    }
  })

  it('a full disk (ENOSPC injected at the file-store boundary) is NO_SPACE and leaves nothing behind', async () => {
    let full = false
    const real = nodeChunkFs()
    const chunkFs: ChunkFs = {
      createExclusive: async (path) => {
        const handle = await real.createExclusive(path)
        return {
          write: async (buffer, offset, length) => {
            if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
            return await handle.write(buffer, offset, length)
          },
          datasync: async () => { await handle.datasync() },
          close: async () => { await handle.close() }
        }
      }
    }
    const t = await openTestService({}, { chunkFs })
    try {
      full = true
      await rejectsWith(t.service.putFile('/f', piecesOf(bytesOf(3 * CHUNK))), 'NO_SPACE', /no space left/)
      await rejectsWith(t.service.statFile('/f'), 'FILE_NOT_FOUND')
      assert.deepEqual(await readdir(join(t.dir, 'tmp')), [])
      full = false
      assert.equal((await t.service.putFile('/f', piecesOf(bytesOf(3 * CHUNK)))).sizeBytes, 3 * CHUNK)
    } finally {
      await t.cleanup()
    }
  })
})
