// Checks that no stream outlives its exchange when the peer never closes its half, between
// real hosts. A stream is gone only once both halves are closed, so without a bound such a
// peer keeps it open (and counted against the protocol's stream limits) until the connection
// closes. Inbound: a raw asker sends a have request, a chunk fetch (served, and refused as not
// found), a push of a chunk the holder already has and a push over its size limit, reads each
// answer and keeps its half open. Outbound: a raw peer answers a have request, a fetch (every
// byte) and two pushes (already had; stored) and keeps its half open. In each case the answer
// is taken, and the stream is gone from the connection on our side (reset) within
// PEER_CLOSE_WAIT_MS and some slack; a request, and a fetch, whose own deadline passes during
// that wait keeps its answer (a request whose caller gives up then fails); and an exchange
// with a peer that does close ends closed, not reset, also when the asker closes its half only
// PEER_CLOSE_WAIT_MS/2 after the answer (have, and a chunk fetch): the wait is not shorter
// than it says.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { PushStatus } from '../../src/p2p/protocols/chunk/chunk.js'
import { fetchRequestCodec, fetchResponseCodec, pushRequestCodec, pushResponseCodec } from '../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID } from '../../src/p2p/protocols/chunk/constants.js'
import { fetchChunk } from '../../src/p2p/protocols/chunk/fetch-chunk.js'
import { pushChunk } from '../../src/p2p/protocols/chunk/push-chunk.js'
import { chunkIdToWire } from '../../src/p2p/protocols/chunk/wire-cid.js'
import { FramedStream, PEER_CLOSE_WAIT_MS } from '../../src/p2p/protocols/framed-stream.js'
import { HAVE_PROTOCOL_ID, handleHave, haveProtocol, requestHave } from '../../src/p2p/protocols/have/have-protocol.js'
import { chunkCid } from './helpers/cids.js'
import { waitFor } from './helpers/hosts.js'
import { MIB, randomChunk } from './chunk-protocol/store-fixture.js'
import { fake, serve, sleep, startPeers, stopPeers } from './chunk-protocol/peers.js'
import type { Peer } from './chunk-protocol/peers.js'

/** generous: the machine is shared, and only "not until the connection closes" matters */
const BOUND_MS = PEER_CLOSE_WAIT_MS + 10_000

function cidOf (bytes: Uint8Array): string {
  return chunkCidFromSha256(createHash('sha256').update(bytes).digest())
}

/** Streams of `protocol` that `from` has open to `to`. */
function streamsOf (from: JadfsHost, to: JadfsHost, protocol: string): Stream[] {
  return from.libp2p.getConnections(to.peerId).flatMap((c) => c.streams).filter((s) => s.protocol === protocol)
}

async function goneWithinBound (from: JadfsHost, to: JadfsHost, protocol: string): Promise<void> {
  await waitFor(`${protocol} streams of ${from.peerId.toString()} to close`, () => streamsOf(from, to, protocol).length === 0, BOUND_MS, 50)
}

/** `work`, or a failure once BOUND_MS have passed (it would otherwise wait for its own deadline). */
async function withinBound<T> (work: Promise<T>, what: string): Promise<T> {
  return await Promise.race([work, sleep(BOUND_MS).then(() => { throw new Error(`${what}: no answer within ${BOUND_MS} ms`) })])
}

describe('p2p: peers that never close their half of a stream', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  let lingerer: Peer
  /** streams the lingering peer answered on */
  const kept: Stream[] = []
  /** called once the lingering peer has sent a have answer */
  let afterHaveAnswer: (() => void) | undefined

  before(async () => {
    peers = await startPeers(3)
    ;[asker, holder, lingerer] = peers as [Peer, Peer, Peer]
    await serve(holder, { maxChunkBytes: MIB })
    await handleHave(holder.host, () => true)
    // answers every have request with "held" and keeps its half open
    await fake(lingerer.host, HAVE_PROTOCOL_ID, async (framed, stream) => {
      kept.push(stream)
      const signal = AbortSignal.timeout(BOUND_MS)
      const req = await framed.read(haveProtocol.request, signal)
      await framed.write(haveProtocol.response, { bitmap: new Uint8Array([1]), count: req.cids.length, errorCode: '', errorMessage: '' }, signal)
      afterHaveAnswer?.()
    })
  })
  after(async () => { await stopPeers(peers) })

  /** A stream from the asker to the holder that the asker never closes. */
  async function rawStream (protocol: string): Promise<{ stream: Stream, framed: FramedStream, signal: AbortSignal }> {
    const stream = await asker.host.dialProtocol(holder.host.peerId, protocol)
    return { stream, framed: new FramedStream(stream, { maxReadBytes: MIB, maxWriteBytes: MIB }, 'lingering asker'), signal: AbortSignal.timeout(BOUND_MS) }
  }

  /** The lingering peer answers every fetch with all of `bytes` and keeps its half open. */
  async function lingerOnFetch (bytes: Uint8Array): Promise<void> {
    await fake(lingerer.host, CHUNK_FETCH_PROTOCOL_ID, async (framed, stream) => {
      kept.push(stream)
      const signal = AbortSignal.timeout(BOUND_MS)
      await framed.read(fetchRequestCodec, signal)
      await framed.write(fetchResponseCodec, { totalSize: bytes.byteLength, offset: 0, length: bytes.byteLength, errorCode: '', errorMessage: '' }, signal)
      await framed.writeEncoded(bytes, signal)
    })
  }

  it('resets an inbound stream whose asker keeps its half open after our answer', async () => {
    const bytes = randomChunk(100_000)
    const cid = await holder.store.put(bytes)
    const have = async (): Promise<Stream> => {
      const { stream, framed, signal } = await rawStream(HAVE_PROTOCOL_ID)
      await framed.write(haveProtocol.request, { cids: [(await chunkCid('x')).bytes] }, signal)
      assert.equal((await framed.read(haveProtocol.response, signal)).count, 1)
      return stream
    }
    const fetch = async (): Promise<Stream> => {
      const { stream, framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID)
      await framed.write(fetchRequestCodec, { cid: chunkIdToWire(cid), offset: 0, length: 0, maxFrameSize: 0 }, signal)
      assert.equal((await framed.read(fetchResponseCodec, signal)).length, bytes.byteLength)
      let received = 0
      const frame = { encode: (list: Uint8ArrayList) => list.subarray(), decode: (b: Uint8Array | Uint8ArrayList) => new Uint8ArrayList(b) }
      while (received < bytes.byteLength) received += (await framed.read(frame, signal)).byteLength
      return stream
    }
    const fetchMissing = async (): Promise<Stream> => {
      const { stream, framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID)
      await framed.write(fetchRequestCodec, { cid: chunkIdToWire(cidOf(randomChunk(10))), offset: 0, length: 0, maxFrameSize: 0 }, signal)
      assert.equal((await framed.read(fetchResponseCodec, signal)).errorCode, 'CHUNK_NOT_FOUND')
      return stream
    }
    const push = async (sizeBytes: number, status: PushStatus): Promise<Stream> => {
      const { stream, framed, signal } = await rawStream(CHUNK_PUSH_PROTOCOL_ID)
      await framed.write(pushRequestCodec, { cid: chunkIdToWire(cid), size: sizeBytes }, signal)
      assert.equal((await framed.read(pushResponseCodec, signal)).status, status)
      return stream
    }
    const streams = await Promise.all([have(), fetch(), fetchMissing(), push(bytes.byteLength, PushStatus.ALREADY_HAD), push(MIB + 1, PushStatus.REFUSED)])
    await Promise.all([HAVE_PROTOCOL_ID, CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID].map(async (p) => { await goneWithinBound(holder.host, asker.host, p) }))
    await waitFor('the asker to see its streams reset', () => streams.every((s) => s.status === 'reset'), BOUND_MS, 50)
  })

  it('takes the answer of a peer that keeps its half open, and resets the stream', async () => {
    const bytes = randomChunk(100_000)
    const cid = cidOf(bytes)
    kept.length = 0
    await lingerOnFetch(bytes)
    await fake(lingerer.host, CHUNK_PUSH_PROTOCOL_ID, async (framed, stream) => {
      kept.push(stream)
      const signal = AbortSignal.timeout(BOUND_MS)
      const req = await framed.read(pushRequestCodec, signal)
      if (req.size === bytes.byteLength) {
        await framed.write(pushResponseCodec, { status: PushStatus.ALREADY_HAD, errorCode: '', errorMessage: '', maxFrameSize: 0 }, signal)
        return
      }
      // another chunk: taken in full, then answered STORED
      await framed.write(pushResponseCodec, { status: PushStatus.READY, errorCode: '', errorMessage: '', maxFrameSize: 0 }, signal)
      while (await framed.readOrEnd({ encode: (b: Uint8Array) => b, decode: () => new Uint8Array() }, signal) !== undefined) { /* dropped */ }
      await framed.write(pushResponseCodec, { status: PushStatus.STORED, errorCode: '', errorMessage: '', maxFrameSize: 0 }, signal)
    })
    const to = lingerer.host.peerId
    // deadlines far above the bound: only the wait for the peer's close can end these in time
    const other = randomChunk(1000)
    const [held, received, pushed, stored] = await Promise.all([
      withinBound(requestHave(asker.host, to, [await chunkCid('y')], { timeoutMs: 3 * BOUND_MS }), 'have'),
      withinBound(fetchChunk(asker.host, to, cid, { store: asker.store.chunks, limits: { idleTimeoutMs: 3 * BOUND_MS } }), 'fetch'),
      withinBound(pushChunk(asker.host, to, cid, { sizeBytes: bytes.byteLength, body: [bytes] }), 'push'),
      withinBound(pushChunk(asker.host, to, cidOf(other), { sizeBytes: other.byteLength, body: [other] }), 'push')
    ])
    assert.deepEqual(held, [true])
    received.release()
    assert.ok((await asker.store.readBack(cid)).equals(bytes))
    assert.deepEqual([pushed, stored], ['already-had', 'stored'])
    await Promise.all([HAVE_PROTOCOL_ID, CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID].map(async (p) => { await goneWithinBound(asker.host, lingerer.host, p) }))
    assert.equal(kept.length, 4)
    await waitFor('the lingering peer to see its streams reset', () => kept.every((s) => s.status === 'reset'), BOUND_MS, 50)
  })

  it('a request whose deadline passes while the peer lingers after answering still returns the answer', async () => {
    const shortMs = Math.floor(PEER_CLOSE_WAIT_MS / 3)
    const started = Date.now()
    const held = await requestHave(asker.host, lingerer.host.peerId, [await chunkCid('z')], { timeoutMs: shortMs })
    assert.deepEqual(held, [true])
    assert.ok(Date.now() - started < PEER_CLOSE_WAIT_MS, 'it waited for the close instead of its own deadline')
  })

  it('a request whose caller gives up while the peer lingers after answering fails', async () => {
    const caller = new AbortController()
    // a while after the answer went out: it has arrived, and the request waits for the close
    afterHaveAnswer = () => { setTimeout(() => { caller.abort(new Error('the caller gave up')) }, Math.floor(PEER_CLOSE_WAIT_MS / 5)) }
    try {
      await assert.rejects(requestHave(asker.host, lingerer.host.peerId, [await chunkCid('v')], { signal: caller.signal, timeoutMs: 3 * BOUND_MS }), /the caller gave up/)
    } finally {
      afterHaveAnswer = undefined
    }
  })

  it('a fetch whose total deadline passes while the holder lingers after every byte stores the chunk', async () => {
    const bytes = randomChunk(100_000)
    const cid = cidOf(bytes)
    kept.length = 0
    await lingerOnFetch(bytes)
    // the wait for the close is PEER_CLOSE_WAIT_MS (the idle deadline is far above it), so the
    // total deadline passes during it
    const received = await fetchChunk(asker.host, lingerer.host.peerId, cid, {
      store: asker.store.chunks, limits: { transferTimeoutMs: Math.floor(PEER_CLOSE_WAIT_MS / 2), idleTimeoutMs: 3 * BOUND_MS }
    })
    received.release()
    assert.ok((await asker.store.readBack(cid)).equals(bytes))
    assert.equal(kept.length, 1)
    await waitFor('the lingering peer to see its stream reset', () => kept.every((s) => s.status === 'reset'), BOUND_MS, 50)
  })

  /**
   * Reads the answer on a raw stream to the holder, closes our half only PEER_CLOSE_WAIT_MS/2
   * later, and checks the stream ends closed, not reset, on both ends: the holder's wait for
   * our close must not be shorter than it says.
   */
  async function closeLate (protocol: string, exchange: (framed: FramedStream, signal: AbortSignal) => Promise<void>): Promise<void> {
    const { stream, framed, signal } = await rawStream(protocol)
    await exchange(framed, signal)
    const theirs = streamsOf(holder.host, asker.host, protocol)
    assert.equal(theirs.length, 1)
    await sleep(Math.floor(PEER_CLOSE_WAIT_MS / 2))
    await framed.closeWrite(signal)
    assert.equal(await framed.readOrEnd({ encode: (b: Uint8Array) => b, decode: () => new Uint8Array() }, signal), undefined)
    await waitFor('the stream to end', () => stream.status !== 'open' && stream.status !== 'closing', BOUND_MS, 20)
    await goneWithinBound(holder.host, asker.host, protocol)
    assert.deepEqual([stream.status, theirs[0]?.status], ['closed', 'closed'])
  }

  it('an asker that closes its half within PEER_CLOSE_WAIT_MS of a have answer ends the stream closed on both ends', async () => {
    await closeLate(HAVE_PROTOCOL_ID, async (framed, signal) => {
      await framed.write(haveProtocol.request, { cids: [(await chunkCid('u')).bytes] }, signal)
      assert.equal((await framed.read(haveProtocol.response, signal)).count, 1)
    })
  })

  it('an asker that closes its half within PEER_CLOSE_WAIT_MS of a fetched chunk ends the stream closed on both ends', async () => {
    const bytes = randomChunk(100_000)
    const cid = await holder.store.put(bytes)
    await closeLate(CHUNK_FETCH_PROTOCOL_ID, async (framed, signal) => {
      await framed.write(fetchRequestCodec, { cid: chunkIdToWire(cid), offset: 0, length: 0, maxFrameSize: 0 }, signal)
      assert.equal((await framed.read(fetchResponseCodec, signal)).length, bytes.byteLength)
      let received = 0
      const frame = { encode: (list: Uint8ArrayList) => list.subarray(), decode: (b: Uint8Array | Uint8ArrayList) => new Uint8ArrayList(b) }
      while (received < bytes.byteLength) received += (await framed.read(frame, signal)).byteLength
      assert.equal(received, bytes.byteLength)
    })
  })

  it('an exchange with a peer that closes properly is closed, not reset, on both sides', async () => {
    const { stream, framed, signal } = await rawStream(HAVE_PROTOCOL_ID)
    await framed.write(haveProtocol.request, { cids: [(await chunkCid('w')).bytes] }, signal)
    await framed.closeWrite(signal)
    assert.equal((await framed.read(haveProtocol.response, signal)).count, 1)
    assert.equal(await framed.readOrEnd(haveProtocol.response, signal), undefined)
    await waitFor('the stream to end', () => stream.status !== 'open' && stream.status !== 'closing', BOUND_MS, 20)
    assert.equal(stream.status, 'closed')
    await goneWithinBound(holder.host, asker.host, HAVE_PROTOCOL_ID)
  })
})
