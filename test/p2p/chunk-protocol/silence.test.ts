// Checks that no transfer waits forever on a silent peer, with real hosts on loopback. The
// silent side is a raw handler (or a raw stream) that speaks the protocol up to a point
// and then stops: a holder that accepts and never answers, one that stops mid-chunk, one
// that trickles a byte now and then (caught by the total deadline, not the idle one), a
// receiver that says READY and never reads (the sender's writes block on backpressure),
// a sender that stops mid-push, and an asker that stops reading. Each ends in TIMEOUT (or a
// reset) within its deadline, with nothing stored, no temp file and no transfer slot held.
import { strict as assert } from 'node:assert'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { PushStatus } from '../../../src/p2p/protocols/chunk/chunk.js'
import { fetchRequestCodec, fetchResponseCodec, pushRequestCodec, pushResponseCodec } from '../../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import { chunkIdToWire } from '../../../src/p2p/protocols/chunk/wire-cid.js'
import { FramedStream } from '../../../src/p2p/protocols/framed-stream.js'
import { waitFor } from '../helpers/hosts.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, serve, sleep, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

const IDLE_MS = 400
/** The wait for an answer that follows a whole-chunk disk pass on the peer. */
const DISK_PASS_MS = 800
const limits = { idleTimeoutMs: IDLE_MS, diskPassTimeoutMs: DISK_PASS_MS }

/** Runs `work`, which must fail with TIMEOUT, and returns how long that took. */
async function timesOut (work: Promise<unknown>, message: RegExp): Promise<number> {
  const startedMs = Date.now()
  await assert.rejects(work, (err) => isJadfsError(err, 'TIMEOUT') && message.test(err.message))
  return Date.now() - startedMs
}

describe('chunk protocol: silent peers', function () {
  let peers: Peer[] = []
  let asker: Peer
  let quiet: Peer
  let holder: Peer
  const bytes = randomChunk(4 * MIB)
  let cid: string

  before(async () => {
    peers = await startPeers(3)
    ;[asker, quiet, holder] = peers as [Peer, Peer, Peer]
    // (the room wait must be below the idle deadline; nothing here claims room)
    await serve(holder, { ...limits, roomWaitMs: IDLE_MS / 2 })
    cid = await holder.store.put(bytes)
  })
  after(async () => { await stopPeers(peers) })

  it('times out a holder that accepts the fetch and never answers', async () => {
    await fake(quiet.host, CHUNK_FETCH_PROTOCOL_ID, async () => {})
    // The first answer follows the holder's re-hash of the whole chunk, so it gets the longer wait.
    const tookMs = await timesOut(fetchChunk(asker.host, quiet.host.peerId, cid, { store: asker.store.chunks, limits }), new RegExp(`within ${DISK_PASS_MS} ms`))
    assert.ok(tookMs >= DISK_PASS_MS - 50 && tookMs < DISK_PASS_MS + 1500, `took ${tookMs} ms`)
  })

  it('times out a holder that stops mid-chunk, leaving nothing stored and no temp file', async () => {
    await fake(quiet.host, CHUNK_FETCH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(fetchRequestCodec, signal)
      await framed.write(fetchResponseCodec, { totalSize: bytes.byteLength, offset: 0, length: bytes.byteLength, errorCode: '', errorMessage: '' }, signal)
      await framed.writeEncoded(bytes.subarray(0, 64 * 1024), signal)
    })
    const tookMs = await timesOut(fetchChunk(asker.host, quiet.host.peerId, cid, { store: asker.store.chunks, limits }), /waiting for the peer/)
    assert.ok(tookMs < IDLE_MS + 1500, `took ${tookMs} ms`)
    assert.equal(asker.store.index.get(cid), undefined)
    assert.equal(await asker.store.tempFileCount(), 0)
  })

  it('ends a transfer that trickles at its total deadline', async () => {
    await fake(quiet.host, CHUNK_FETCH_PROTOCOL_ID, async (framed, stream) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(fetchRequestCodec, signal)
      await framed.write(fetchResponseCodec, { totalSize: bytes.byteLength, offset: 0, length: bytes.byteLength, errorCode: '', errorMessage: '' }, signal)
      for (let i = 0; stream.status === 'open'; i++) {
        await framed.writeEncoded(bytes.subarray(i, i + 1), signal)
        await sleep(IDLE_MS / 4)
      }
    })
    const tookMs = await timesOut(fetchChunk(asker.host, quiet.host.peerId, cid, { limits: { idleTimeoutMs: IDLE_MS, transferTimeoutMs: 1200 } }).then(async (f) => {
      for await (const part of f.body) assert.ok(part.byteLength > 0)
    }), /within 1200 ms/)
    assert.ok(tookMs >= 1150 && tookMs < 2500, `took ${tookMs} ms`)
  })

  it('times out a receiver that never answers a push, one that says READY and stops reading, and one that never gives its final answer', async () => {
    await fake(quiet.host, CHUNK_PUSH_PROTOCOL_ID, async () => {})
    let source = { sizeBytes: bytes.byteLength, body: [bytes] }
    await timesOut(pushChunk(asker.host, quiet.host.peerId, cid, source, { limits }), /waiting for the peer/)

    await fake(quiet.host, CHUNK_PUSH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(pushRequestCodec, signal)
      await framed.write(pushResponseCodec, { status: PushStatus.READY, errorCode: '', errorMessage: '', maxFrameSize: 0 }, signal)
    })
    // Far more than the stream window and buffers hold, so the sender's writes must block.
    const big = randomChunk(16 * MIB)
    source = { sizeBytes: big.byteLength, body: [big] }
    let tookMs = await timesOut(pushChunk(asker.host, quiet.host.peerId, cid, source, { limits }), new RegExp(`within ${IDLE_MS} ms`))
    assert.ok(tookMs < IDLE_MS + 1500, `took ${tookMs} ms`)

    await fake(quiet.host, CHUNK_PUSH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(pushRequestCodec, signal)
      await framed.write(pushResponseCodec, { status: PushStatus.READY, errorCode: '', errorMessage: '', maxFrameSize: 0 }, signal)
      while (await framed.readOrEnd({ encode: (b: Uint8Array) => b, decode: () => new Uint8Array() }, signal) !== undefined) { /* read and drop */ }
    })
    source = { sizeBytes: bytes.byteLength, body: [bytes] }
    tookMs = await timesOut(pushChunk(asker.host, quiet.host.peerId, cid, source, { limits }), new RegExp(`within ${DISK_PASS_MS} ms`))
    assert.ok(tookMs >= DISK_PASS_MS - 50 && tookMs < DISK_PASS_MS + 1500, `took ${tookMs} ms`)
  })

  it('resets a sender that stops mid-push, frees its slot and keeps nothing', async () => {
    const other = randomChunk(MIB)
    const otherCid = await asker.store.put(other)
    const stream = await asker.host.dialProtocol(holder.host.peerId, CHUNK_PUSH_PROTOCOL_ID)
    const framed = new FramedStream(stream, { maxReadBytes: 4096, maxWriteBytes: MIB }, 'stalling sender')
    const signal = AbortSignal.timeout(10_000)
    await framed.write(pushRequestCodec, { cid: chunkIdToWire(otherCid), size: other.byteLength }, signal)
    assert.equal((await framed.read(pushResponseCodec, signal)).status, PushStatus.READY)
    await framed.writeEncoded(other.subarray(0, 100_000), signal)
    assert.equal(holder.server?.activeTransfers(), 1)

    await waitFor('the receiver to reset the stalled push', () => stream.status !== 'open', IDLE_MS + 1500, 10)
    await waitForIdle(holder)
    assert.equal(holder.store.index.get(otherCid), undefined)
    assert.equal(await holder.store.tempFileCount(), 0)
  })

  it('resets an asker that stops reading mid-chunk and frees its slot', async () => {
    // Far larger than the stream window and buffers, so the holder must block.
    const bigCid = await holder.store.put(randomChunk(16 * MIB))
    const fetched = await fetchChunk(asker.host, holder.host.peerId, bigCid)
    const body = fetched.body[Symbol.asyncIterator]()
    assert.equal((await body.next()).done, false)
    assert.equal(holder.server?.activeTransfers(), 1)
    // Not reading fills the buffers, the holder's sends wait for room, and its idle deadline
    // ends them: not sooner (the asker's own buffers hold), not much later.
    const startedMs = Date.now()
    await waitForIdle(holder, IDLE_MS + 1500)
    assert.ok(Date.now() - startedMs >= IDLE_MS - 100, `the holder gave up after ${Date.now() - startedMs} ms`)
    await assert.rejects((async () => { while ((await body.next()).done !== true) { /* drain what was buffered */ } })(),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /reset/.test(err.message))
  })
})
