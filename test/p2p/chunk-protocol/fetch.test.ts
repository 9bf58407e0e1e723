// Checks fetch between two real hosts on loopback with real chunk stores in temp dirs: a
// multi-MiB chunk fetched into the asker's store arrives byte-identical (read back through
// the verified read) with no temp file left; fetched without a store its bytes stream in
// frames of at most the frame limit; a range comes back exact and marked as checked by the
// holder only, is refused into a store, and an offset past the end is INVALID_RANGE; a
// chunk the holder lacks is CHUNK_NOT_FOUND.
import { strict as assert } from 'node:assert'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { MIB, randomChunk } from './store-fixture.js'
import { serve, startPeers, stopPeers } from './peers.js'
import type { Peer } from './peers.js'

describe('chunk protocol: fetch', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  const bytes = randomChunk(6 * MIB + 12_345)
  let cid: string

  before(async () => {
    peers = await startPeers(2)
    ;[asker, holder] = peers as [Peer, Peer]
    await serve(holder)
    cid = await holder.store.put(bytes)
  })
  after(async () => { await stopPeers(peers) })

  it('fetches a multi-MiB chunk into the local store byte-identical', async () => {
    const received = await fetchChunk(asker.host, holder.host.peerId, cid, { store: asker.store.chunks })
    received.release()
    assert.deepEqual(received.chunk, { cid, sizeBytes: bytes.byteLength })
    assert.ok((await asker.store.readBack(cid)).equals(bytes))
    assert.equal(asker.store.index.get(cid)?.state, 'ok')
    assert.equal(await asker.store.tempFileCount(), 0)
    assert.equal(holder.server?.activeTransfers(), 0)
  })

  it('streams a whole chunk without a store in frames of at most the frame limit', async () => {
    const maxFrameBytes = 64 * 1024
    const fetched = await fetchChunk(asker.host, holder.host.peerId, cid, { limits: { maxFrameBytes } })
    assert.equal(fetched.verification, 'fetcher')
    assert.deepEqual([fetched.totalSizeBytes, fetched.offsetBytes, fetched.lengthBytes], [bytes.byteLength, 0, bytes.byteLength])
    const parts: Buffer[] = []
    for await (const part of fetched.body) {
      assert.ok(part.byteLength <= maxFrameBytes, `a frame of ${part.byteLength} bytes`)
      parts.push(Buffer.from(part))
    }
    assert.ok(parts.length >= Math.ceil(bytes.byteLength / maxFrameBytes))
    assert.ok(Buffer.concat(parts).equals(bytes))
  })

  it('fetches a range, clipped to the chunk, marked as checked by the holder only', async () => {
    const offsetBytes = 3 * MIB + 7
    const fetched = await fetchChunk(asker.host, holder.host.peerId, cid, { range: { offsetBytes, lengthBytes: 1000 } })
    assert.equal(fetched.verification, 'holder')
    const parts: Buffer[] = []
    for await (const part of fetched.body) parts.push(Buffer.from(part))
    assert.ok(Buffer.concat(parts).equals(bytes.subarray(offsetBytes, offsetBytes + 1000)))

    const tail = await fetchChunk(asker.host, holder.host.peerId, cid, { range: { offsetBytes: bytes.byteLength - 10, lengthBytes: 1000 } })
    assert.equal(tail.lengthBytes, 10)
    const tailParts: Buffer[] = []
    for await (const part of tail.body) tailParts.push(Buffer.from(part))
    assert.ok(Buffer.concat(tailParts).equals(bytes.subarray(bytes.byteLength - 10)))
  })

  it('refuses a range into a store and a range past the end of the chunk', async () => {
    await assert.rejects(
      fetchChunk(asker.host, holder.host.peerId, cid, { range: { offsetBytes: 0, lengthBytes: 10 }, store: asker.store.chunks } as never),
      (err) => isJadfsError(err, 'INVALID_ARGUMENT') && /never stored/.test(err.message)
    )
    await assert.rejects(
      fetchChunk(asker.host, holder.host.peerId, cid, { range: { offsetBytes: bytes.byteLength, lengthBytes: 1 } }),
      (err) => isJadfsError(err, 'INVALID_RANGE') && err.details?.remote === true
    )
  })

  it('reports a chunk the holder does not have as CHUNK_NOT_FOUND', async () => {
    const missing = chunkCidFromSha256(Buffer.alloc(32, 7))
    await assert.rejects(
      fetchChunk(asker.host, holder.host.peerId, missing, { store: asker.store.chunks }),
      (err) => isJadfsError(err, 'CHUNK_NOT_FOUND') && err.details?.remote === true
    )
    assert.equal(asker.store.index.get(missing), undefined)
    assert.equal(await asker.store.tempFileCount(), 0)
  })
})
