// Checks backpressure end to end with real hosts: an asker that consumes far slower than
// the network delivers (a body read with a pause per frame, a store whose writes are slow)
// still receives the whole multi-MiB chunk intact. Stream buffering must then rely on
// pausing the stream and the muxer's flow control window; if a pause were lost, or the
// window could outgrow the stream's read buffer limit, libp2p would abort the stream with
// a buffer overflow and these transfers would fail.
import { strict as assert } from 'node:assert'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import type { ChunkReceiver } from '../../../src/store/receive-chunk.js'
import { MIB, randomChunk } from './store-fixture.js'
import { serve, sleep, startPeers, stopPeers } from './peers.js'
import type { Peer } from './peers.js'

describe('chunk protocol: slow consumers', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  const bytes = randomChunk(24 * MIB)
  let cid: string

  before(async () => {
    peers = await startPeers(2)
    ;[asker, holder] = peers as [Peer, Peer]
    await serve(holder)
    cid = await holder.store.put(bytes)
  })
  after(async () => { await stopPeers(peers) })

  it('delivers a whole chunk to a body reader that pauses on every frame', async () => {
    const fetched = await fetchChunk(asker.host, holder.host.peerId, cid)
    const parts: Buffer[] = []
    for await (const part of fetched.body) {
      parts.push(Buffer.from(part))
      await sleep(3)
    }
    assert.ok(Buffer.concat(parts).equals(bytes))
  })

  it('delivers a whole chunk into a store whose writes are slow', async () => {
    const store: ChunkReceiver = {
      createWriter: async () => {
        const writer = await asker.store.chunks.createWriter()
        const write = writer.write.bind(writer)
        writer.write = async (piece) => { await sleep(3); await write(piece) }
        return writer
      },
      commit: async (writer, options) => await asker.store.chunks.commit(writer, options)
    }
    const received = await fetchChunk(asker.host, holder.host.peerId, cid, { store })
    received.release()
    assert.ok((await asker.store.readBack(cid)).equals(bytes))
  })
})
