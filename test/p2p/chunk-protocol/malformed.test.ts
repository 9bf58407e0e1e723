// Checks how both sides treat a peer that breaks the protocol, with real hosts and stores
// and a raw stream (or raw handler) as the misbehaving side. The server answers a header
// naming something that is not a chunk id, or a frame limit below the minimum, with
// PROTOCOL_ERROR; a header of MAX_HEADER_BYTES is answered, one a byte longer resets the
// stream; a sender that sends more than it declared is reset with nothing stored.
// The asker refuses a header that announces other bytes than it asked for (another range,
// or another size than the caller expects), and a holder that sends more than it announced. A stopped server no longer takes the protocols.
import { strict as assert } from 'node:assert'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { PushStatus } from '../../../src/p2p/protocols/chunk/chunk.js'
import { fetchRequestCodec, fetchResponseCodec, pushRequestCodec, pushResponseCodec } from '../../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID, MAX_HEADER_BYTES } from '../../../src/p2p/protocols/chunk/constants.js'
import { chunkIdToWire } from '../../../src/p2p/protocols/chunk/wire-cid.js'
import { FramedStream } from '../../../src/p2p/protocols/framed-stream.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, serve, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

describe('chunk protocol: malformed peers', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  let liar: Peer

  before(async () => {
    peers = await startPeers(3)
    ;[asker, holder, liar] = peers as [Peer, Peer, Peer]
    await serve(holder)
  })
  after(async () => { await stopPeers(peers) })

  async function rawStream (protocol: string): Promise<{ framed: FramedStream, signal: AbortSignal }> {
    const stream = await asker.host.dialProtocol(holder.host.peerId, protocol)
    return { framed: new FramedStream(stream, { maxReadBytes: MIB, maxWriteBytes: 2 * MIB }, 'raw asker'), signal: AbortSignal.timeout(10_000) }
  }

  it('answers a header that names no chunk id, or asks for tiny frames, with PROTOCOL_ERROR', async () => {
    const cid = await holder.store.put(randomChunk(100_000))
    let { framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID)
    await framed.write(fetchRequestCodec, { cid: new Uint8Array([1, 2, 3]), offset: 0, length: 0, maxFrameSize: 0 }, signal)
    let answer = await framed.read(fetchResponseCodec, signal)
    assert.equal(answer.errorCode, 'PROTOCOL_ERROR')
    assert.equal(await framed.readOrEnd(fetchResponseCodec, signal), undefined, 'no data follows a refusal')

    ;({ framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID))
    await framed.write(fetchRequestCodec, { cid: chunkIdToWire(cid), offset: 0, length: 0, maxFrameSize: 100 }, signal)
    answer = await framed.read(fetchResponseCodec, signal)
    assert.deepEqual([answer.errorCode, /below the minimum/.test(answer.errorMessage)], ['PROTOCOL_ERROR', true])

    ;({ framed, signal } = await rawStream(CHUNK_PUSH_PROTOCOL_ID))
    await framed.write(pushRequestCodec, { cid: new TextEncoder().encode('not a cid'), size: 10 }, signal)
    const refused = await framed.read(pushResponseCodec, signal)
    assert.deepEqual([refused.status, refused.errorCode], [PushStatus.REFUSED, 'PROTOCOL_ERROR'])
    await waitForIdle(holder)
  })

  it('answers a header of MAX_HEADER_BYTES and resets the stream of one a byte longer', async () => {
    // a fetch request whose (junk) chunk id pads it to the size wanted
    const requestOf = (bytes: number): Uint8Array => {
      for (let cidBytes = bytes; cidBytes > 0; cidBytes--) {
        const encoded = fetchRequestCodec.encode({ cid: new Uint8Array(cidBytes).fill(7), offset: 0, length: 0, maxFrameSize: MIB })
        if (encoded.byteLength === bytes) return encoded
      }
      throw new Error(`no request of ${bytes} bytes`)
    }
    let { framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID)
    await framed.writeEncoded(requestOf(MAX_HEADER_BYTES), signal)
    const answer = await framed.read(fetchResponseCodec, signal)
    assert.equal(answer.errorCode, 'PROTOCOL_ERROR', 'a header at the limit is read and answered')

    ;({ framed, signal } = await rawStream(CHUNK_FETCH_PROTOCOL_ID))
    await framed.writeEncoded(requestOf(MAX_HEADER_BYTES + 1), signal)
    await assert.rejects(framed.read(fetchResponseCodec, signal), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /reset/.test(err.message))
    await waitForIdle(holder)
  })

  it('resets a sender that sends more than it declared, keeping nothing', async () => {
    const bytes = randomChunk(MIB)
    const cid = await asker.store.put(bytes)
    const { framed, signal } = await rawStream(CHUNK_PUSH_PROTOCOL_ID)
    await framed.write(pushRequestCodec, { cid: chunkIdToWire(cid), size: MIB - 1 }, signal)
    assert.equal((await framed.read(pushResponseCodec, signal)).status, PushStatus.READY)
    await framed.writeEncoded(bytes.subarray(0, 200_000), signal)
    await framed.writeEncoded(bytes.subarray(200_000), signal)
    await assert.rejects(framed.read(pushResponseCodec, signal), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /reset/.test(err.message))
    await waitForIdle(holder)
    assert.equal(holder.store.index.get(cid), undefined)
    assert.equal(await holder.store.tempFileCount(), 0)
  })

  it('refuses, as the asker, a header announcing other bytes than asked for, and surplus bytes', async () => {
    const cid = await holder.store.put(randomChunk(MIB))
    const behaviours = {
      'wrong range': { offset: 5, length: MIB - 5, sendBytes: MIB - 5, message: /announced bytes 5 \+/ },
      'surplus bytes': { offset: 0, length: MIB, sendBytes: MIB + 1, message: /more than the \d+ bytes it announced/ },
      'another size': { offset: 0, length: MIB, sendBytes: MIB, expectedSizeBytes: MIB - 1, message: /of \d+ bytes, expected \d+/ }
    }
    for (const [name, b] of Object.entries(behaviours)) {
      await fake(liar.host, CHUNK_FETCH_PROTOCOL_ID, async (framed) => {
        const signal = AbortSignal.timeout(10_000)
        await framed.read(fetchRequestCodec, signal)
        await framed.write(fetchResponseCodec, { totalSize: MIB, offset: b.offset, length: b.length, errorCode: '', errorMessage: '' }, signal)
        for (let sent = 0; sent < b.sendBytes; sent += 64 * 1024) await framed.writeEncoded(new Uint8Array(Math.min(64 * 1024, b.sendBytes - sent)), signal)
        await framed.closeWrite(signal)
      })
      const expected = 'expectedSizeBytes' in b ? { expectedSizeBytes: b.expectedSizeBytes } : {}
      await assert.rejects(fetchChunk(asker.host, liar.host.peerId, cid, { store: asker.store.chunks, ...expected }),
        (err) => isJadfsError(err, 'PROTOCOL_ERROR') && b.message.test(err.message), name)
      assert.equal(await asker.store.tempFileCount(), 0, name)
    }
    assert.equal(asker.store.index.get(cid), undefined)
  })

  it('stops taking the protocols when the server stops', async () => {
    const cid = await holder.store.put(randomChunk(1000))
    await holder.server?.stop()
    await assert.rejects(fetchChunk(asker.host, holder.host.peerId, cid), (err) => isJadfsError(err, 'PEER_UNREACHABLE'))
    await serve(holder)
    const fetched = await fetchChunk(asker.host, holder.host.peerId, cid)
    let receivedBytes = 0
    for await (const part of fetched.body) receivedBytes += part.byteLength
    assert.equal(receivedBytes, 1000)
  })
})
