// Checks the limits of the chunk protocols with real hosts and stores. Concurrency: a
// holder allowing 2 transfers per peer and 3 in total takes exactly that many (pushes held
// open by sources that pause mid-chunk), answers PEER_BUSY to the next push or fetch from
// the same peer and to the next from another peer once the total is reached, and takes new
// transfers again once those finish. Sizes: a push declaring more than the receiver's chunk
// limit is refused before any byte is read; an asker refuses a chunk over its own limit and
// a data frame over the frame size it asked for.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import type { PushOutcome } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { fetchRequestCodec, fetchResponseCodec } from '../../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { addrOf, waitFor } from '../helpers/hosts.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, serve, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

function cidOf (bytes: Uint8Array): string {
  return chunkCidFromSha256(createHash('sha256').update(bytes).digest())
}

const isBusy = (err: unknown): boolean => isJadfsError(err, 'PEER_BUSY') && err.details?.remote === true

describe('chunk protocol: limits', function () {
  let peers: Peer[] = []
  let a: Peer
  let b: Peer
  let holder: Peer
  let opened: () => void = () => {}
  const gate = new Promise<void>((resolve) => { opened = resolve })
  /** pushes the holder made room on its disk for */
  let roomClaims = 0

  before(async () => {
    peers = await startPeers(3)
    ;[a, b, holder] = peers as [Peer, Peer, Peer]
    await serve(holder, { maxTransfersPerPeer: 2, maxTransfersTotal: 3 }, { claimRoom: async () => { roomClaims++; return () => {} } })
    await serve(b, { maxChunkBytes: MIB, maxFrameBytes: 64 * 1024 })
    // The hosts joined through a; b dials the holder by address so it can reach it by id.
    await b.host.dial(addrOf(holder.host))
  })
  after(async () => {
    opened()
    await stopPeers(peers)
  })

  /** A push of a fresh 1 MiB chunk whose source pauses after 64 KiB until the gate opens. */
  function pausedPush (from: JadfsHost): Promise<PushOutcome> {
    const bytes = randomChunk(MIB)
    async function * body (): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 64 * 1024)
      await gate
      yield bytes.subarray(64 * 1024)
    }
    return pushChunk(from, holder.host.peerId, cidOf(bytes), { sizeBytes: bytes.byteLength, body: body() })
  }

  const freshPush = async (from: JadfsHost): Promise<PushOutcome> => {
    const bytes = randomChunk(100_000)
    return await pushChunk(from, holder.host.peerId, cidOf(bytes), { sizeBytes: bytes.byteLength, body: [bytes] })
  }

  it('takes transfers up to the per-peer and total limits and answers PEER_BUSY above them', async () => {
    const held = [pausedPush(a.host), pausedPush(a.host)]
    await waitFor('two transfers from a', () => holder.server?.activeTransfers() === 2, 5000, 10)
    await assert.rejects(freshPush(a.host), (err) => isBusy(err) && /2 from/.test((err as Error).message))
    const fetchable = await holder.store.put(randomChunk(100_000))
    await assert.rejects(fetchChunk(a.host, holder.host.peerId, fetchable), isBusy)

    held.push(pausedPush(b.host))
    await waitFor('a third transfer, from b', () => holder.server?.activeTransfers() === 3, 5000, 10)
    await assert.rejects(freshPush(b.host), (err) => isBusy(err) && /3 in total/.test((err as Error).message))
    // a push refused as busy is refused before any room is made for it
    assert.equal(roomClaims, 3)

    opened()
    assert.deepEqual(await Promise.all(held), ['stored', 'stored', 'stored'])
    await waitForIdle(holder)
    assert.equal(await freshPush(a.host), 'stored')
    await fetchChunk(a.host, holder.host.peerId, fetchable, { store: a.store.chunks })
  })

  it('refuses a push declaring more than the receiver\'s chunk limit before reading it', async () => {
    const bytes = randomChunk(MIB + 1)
    let read = false
    async function * body (): AsyncGenerator<Uint8Array> { read = true; yield bytes }
    await assert.rejects(
      pushChunk(a.host, b.host.peerId, cidOf(bytes), { sizeBytes: bytes.byteLength, body: body() }),
      (err) => isJadfsError(err, 'MESSAGE_TOO_LARGE') && err.details?.remote === true
    )
    assert.ok(!read)
    await assert.rejects(
      pushChunk(a.host, b.host.peerId, cidOf(bytes), { sizeBytes: bytes.byteLength, body: [bytes] }, { limits: { maxChunkBytes: MIB } }),
      (err) => isJadfsError(err, 'INVALID_ARGUMENT')
    )
    // The receiver's lower frame limit is honoured by the sender.
    const fits = randomChunk(MIB)
    assert.equal(await pushChunk(a.host, b.host.peerId, cidOf(fits), { sizeBytes: fits.byteLength, body: [fits] }), 'stored')
  })

  it('refuses, as the asker, a chunk over its size limit and a frame over its frame limit', async () => {
    const cid = await holder.store.put(randomChunk(2 * MIB))
    await assert.rejects(
      fetchChunk(a.host, holder.host.peerId, cid, { store: a.store.chunks, limits: { maxChunkBytes: MIB } }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /over the limit/.test(err.message)
    )
    await fake(b.host, CHUNK_FETCH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(fetchRequestCodec, signal)
      await framed.write(fetchResponseCodec, { totalSize: MIB, offset: 0, length: MIB, errorCode: '', errorMessage: '' }, signal)
      await framed.writeEncoded(new Uint8Array(128 * 1024), signal)
    })
    await assert.rejects(
      fetchChunk(a.host, b.host.peerId, cid, { store: a.store.chunks, limits: { maxFrameBytes: 64 * 1024 } }),
      (err) => isJadfsError(err, 'MESSAGE_TOO_LARGE')
    )
    assert.equal(a.store.index.get(cid), undefined)
    assert.equal(await a.store.tempFileCount(), 0)
  })
})
