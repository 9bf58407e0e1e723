// Checks that aborting a transfer cleans up on both sides, with real hosts and stores: an
// abort mid-fetch (fired from inside the asker's store write) rejects with the caller's
// reason and leaves no temp file or chunk on the asker, and the holder's slot is freed;
// an abort mid-push does the same for the receiver and closes the source; an abort while
// waiting on a silent peer ends the call at once; stopping the host ends its transfers
// with SHUTTING_DOWN.
import { strict as assert } from 'node:assert'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { CHUNK_FETCH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import type { ChunkReceiver } from '../../../src/store/receive-chunk.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, serve, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

describe('chunk protocol: abort', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  let quiet: Peer

  before(async () => {
    peers = await startPeers(3)
    ;[asker, holder, quiet] = peers as [Peer, Peer, Peer]
    await serve(holder)
    await fake(quiet.host, CHUNK_FETCH_PROTOCOL_ID, async () => {})
  })
  after(async () => { await stopPeers(peers) })

  it('aborts a fetch mid-chunk: the caller\'s reason, no temp file, nothing stored, the holder\'s slot freed', async () => {
    const cid = await holder.store.put(randomChunk(8 * MIB))
    const controller = new AbortController()
    const reason = new Error('the reader went away')
    let writes = 0
    // Aborts from inside the store's write path, once some bytes are on disk.
    const store: ChunkReceiver = {
      createWriter: async () => {
        const writer = await asker.store.chunks.createWriter()
        const write = writer.write.bind(writer)
        writer.write = async (bytes) => {
          await write(bytes)
          if (++writes === 3) controller.abort(reason)
        }
        return writer
      },
      commit: async (writer, options) => await asker.store.chunks.commit(writer, options)
    }
    await assert.rejects(fetchChunk(asker.host, holder.host.peerId, cid, { store, signal: controller.signal }), (err) => err === reason)
    assert.ok(writes >= 3)
    assert.equal(asker.store.index.get(cid), undefined)
    assert.equal(await asker.store.tempFileCount(), 0)
    assert.equal(await asker.store.chunkFileCount(), 0)
    await waitForIdle(holder)
  })

  it('aborts a push mid-chunk: the caller\'s reason, the source closed, nothing kept by the receiver', async () => {
    const bytes = randomChunk(4 * MIB)
    const cid = await asker.store.put(bytes)
    const controller = new AbortController()
    let closed = false
    async function * body (): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, MIB)
      controller.abort()
      // A source stuck in a wait of its own must not hold the call.
      await new Promise(() => {})
    }
    await assert.rejects(
      pushChunk(asker.host, holder.host.peerId, cid, { sizeBytes: bytes.byteLength, body: body(), close: async () => { closed = true } }, { signal: controller.signal }),
      (err) => err instanceof Error && err.name === 'AbortError'
    )
    assert.ok(closed)
    await waitForIdle(holder)
    assert.equal(holder.store.index.get(cid), undefined)
    assert.equal(await holder.store.tempFileCount(), 0)
  })

  it('ends at once when aborted while waiting on a silent peer', async () => {
    const cid = await holder.store.put(randomChunk(MIB))
    const controller = new AbortController()
    const fetching = fetchChunk(asker.host, quiet.host.peerId, cid, { store: asker.store.chunks, signal: controller.signal })
    setTimeout(() => { controller.abort(new Error('give up')) }, 100)
    const startedMs = Date.now()
    await assert.rejects(fetching, /give up/)
    assert.ok(Date.now() - startedMs < 1000)
  })

  it('ends transfers in progress with SHUTTING_DOWN when the host stops', async () => {
    const cid = await holder.store.put(randomChunk(MIB))
    const fetching = fetchChunk(asker.host, quiet.host.peerId, cid, { store: asker.store.chunks })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const startedMs = Date.now()
    const rejected = assert.rejects(fetching, (err) => isJadfsError(err, 'SHUTTING_DOWN'))
    await asker.host.stop()
    await rejected
    assert.ok(Date.now() - startedMs < 2000)
    assert.equal(await asker.store.tempFileCount(), 0)
  })
})
