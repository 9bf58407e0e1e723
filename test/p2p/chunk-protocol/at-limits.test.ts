// Checks the size limits of a chunk transfer exactly at the limit, with real hosts and stores
// (the misbehaving side is a raw handler or raw stream, so sizes are exact on the wire). An
// asker whose chunk limit is 1 MiB stores a chunk of exactly 1 MiB and refuses one of 1 MiB +
// 1 from the header; an asker whose frame limit is 64 KiB takes frames of exactly 64 KiB and
// refuses one a byte larger; a push receiver with a 64 KiB frame limit does the same. A
// holder that sends one byte more or one byte less than it announced (whole chunk into the
// store, or a range) is refused with PROTOCOL_ERROR saying which, nothing stored. Each
// refusal is asserted by its message, so another check failing first cannot pass the test.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { isJadfsError } from '../../../src/errors.js'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { PushStatus } from '../../../src/p2p/protocols/chunk/chunk.js'
import { fetchRequestCodec, fetchResponseCodec, pushRequestCodec, pushResponseCodec } from '../../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import type { ChunkRange } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { handleChunkProtocol } from '../../../src/p2p/protocols/chunk/handle-chunk-protocol.js'
import { chunkIdToWire } from '../../../src/p2p/protocols/chunk/wire-cid.js'
import { FramedStream } from '../../../src/p2p/protocols/framed-stream.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

const FRAME = 64 * 1024

function cidOf (bytes: Uint8Array): string {
  return chunkCidFromSha256(createHash('sha256').update(bytes).digest())
}

async function collect (body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const part of body) parts.push(part)
  return Buffer.concat(parts)
}

describe('chunk protocol: sizes at their limits', function () {
  let peers: Peer[] = []
  let asker: Peer
  let holder: Peer
  let liar: Peer
  /** what the holder's chunk server logged about transfers it ended */
  const holderLog: Array<Record<string, unknown>> = []

  before(async () => {
    peers = await startPeers(3)
    ;[asker, holder, liar] = peers as [Peer, Peer, Peer]
    const host = holder.host
    holder.server = await handleChunkProtocol({
      handle: host.handle.bind(host),
      unhandle: host.unhandle.bind(host),
      signal: host.signal,
      logger: { debug: (fields) => { holderLog.push(fields) }, info: () => {}, warn: () => {} }
    }, { store: holder.store, limits: { maxFrameBytes: FRAME } })
  })
  after(async () => { await stopPeers(peers) })

  /** Makes the liar answer fetches with `header` and then send `frames` (sizes) of `bytes`, and close. */
  async function lie (header: { totalSize: number, offset: number, length: number }, bytes: Uint8Array, frames: number[]): Promise<void> {
    await fake(liar.host, CHUNK_FETCH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      await framed.read(fetchRequestCodec, signal)
      await framed.write(fetchResponseCodec, { ...header, errorCode: '', errorMessage: '' }, signal)
      let at = 0
      for (const size of frames) {
        await framed.writeEncoded(bytes.subarray(at, at + size), signal)
        at += size
      }
      await framed.closeWrite(signal)
    })
  }

  async function assertNothingStored (cid: string): Promise<void> {
    assert.equal(asker.store.index.get(cid), undefined)
    assert.equal(await asker.store.tempFileCount(), 0)
  }

  it('stores a chunk of exactly the asker\'s size limit and refuses one a byte larger from its header', async () => {
    const limits = { maxChunkBytes: MIB }
    const atLimit = randomChunk(MIB)
    const cid = await holder.store.put(atLimit)
    const received = await fetchChunk(asker.host, holder.host.peerId, cid, { store: asker.store.chunks, limits })
    received.release()
    assert.ok((await asker.store.readBack(cid)).equals(atLimit))

    const over = await holder.store.put(randomChunk(MIB + 1))
    await assert.rejects(fetchChunk(asker.host, holder.host.peerId, over, { store: asker.store.chunks, limits }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /announced a chunk of 1048577 bytes, over the limit of 1048576/.test(err.message))
    await assertNothingStored(over)
    // the body-only shape checks the same header
    await assert.rejects(fetchChunk(asker.host, holder.host.peerId, over, { limits }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /over the limit of 1048576/.test(err.message))
    await waitForIdle(holder)
  })

  it('takes data frames of exactly the asker\'s frame limit and refuses one a byte larger', async () => {
    const limits = { maxFrameBytes: FRAME }
    const bytes = randomChunk(4 * FRAME)
    const cid = cidOf(bytes)
    const header = { totalSize: bytes.byteLength, offset: 0, length: bytes.byteLength }
    await lie(header, bytes, [FRAME, FRAME, FRAME, FRAME])
    const received = await fetchChunk(asker.host, liar.host.peerId, cid, { store: asker.store.chunks, limits })
    received.release()
    assert.ok((await asker.store.readBack(cid)).equals(bytes))

    const other = randomChunk(4 * FRAME)
    const otherCid = cidOf(other)
    await lie(header, other, [FRAME + 1, FRAME - 1, FRAME, FRAME])
    await assert.rejects(fetchChunk(asker.host, liar.host.peerId, otherCid, { store: asker.store.chunks, limits }),
      (err) => isJadfsError(err, 'MESSAGE_TOO_LARGE') && /the peer sent a message over the size limit/.test(err.message))
    await assertNothingStored(otherCid)
  })

  it('takes pushed data frames of exactly the receiver\'s frame limit and resets one a byte larger', async () => {
    async function rawPush (bytes: Uint8Array, frames: number[]): Promise<FramedStream> {
      const stream = await asker.host.dialProtocol(holder.host.peerId, CHUNK_PUSH_PROTOCOL_ID)
      const framed = new FramedStream(stream, { maxReadBytes: 4096, maxWriteBytes: MIB }, 'raw sender')
      const signal = AbortSignal.timeout(10_000)
      await framed.write(pushRequestCodec, { cid: chunkIdToWire(cidOf(bytes)), size: bytes.byteLength }, signal)
      const ready = await framed.read(pushResponseCodec, signal)
      assert.deepEqual([ready.status, ready.maxFrameSize], [PushStatus.READY, FRAME])
      let at = 0
      for (const size of frames) {
        await framed.writeEncoded(bytes.subarray(at, at + size), signal)
        at += size
      }
      await framed.closeWrite(signal)
      return framed
    }
    const signal = AbortSignal.timeout(10_000)
    const bytes = randomChunk(2 * FRAME)
    const framed = await rawPush(bytes, [FRAME, FRAME])
    assert.equal((await framed.read(pushResponseCodec, signal)).status, PushStatus.STORED)
    assert.ok((await holder.store.readBack(cidOf(bytes))).equals(bytes))

    const other = randomChunk(2 * FRAME)
    holderLog.length = 0
    // the receiver may reset the stream while the rest is still being sent
    await assert.rejects((async () => { await (await rawPush(other, [FRAME + 1, FRAME - 1])).read(pushResponseCodec, signal) })(),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR'))
    await waitForIdle(holder)
    assert.deepEqual(holderLog.map((f) => f.code), ['MESSAGE_TOO_LARGE'])
    assert.equal(holder.store.index.get(cidOf(other)), undefined)
    assert.equal(await holder.store.tempFileCount(), 0)
  })

  it('refuses a holder that sends one byte more or one byte less than it announced, whole or a range', async () => {
    const bytes = randomChunk(MIB)
    const cid = cidOf(bytes)
    const whole = { totalSize: MIB, offset: 0, length: MIB }
    // frames of the asker's default limit
    const quarter = MIB / 4
    const fetchWhole = async (): Promise<void> => {
      const received = await fetchChunk(asker.host, liar.host.peerId, cid, { store: asker.store.chunks })
      received.release()
    }
    await lie(whole, Buffer.concat([bytes, Buffer.from([0])]), [quarter, quarter, quarter, quarter - 1, 2])
    await assert.rejects(fetchWhole(), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /the holder sent more than the 1048576 bytes it announced/.test(err.message))
    await assertNothingStored(cid)
    // and with the extra byte in a frame of its own, after exactly the announced bytes
    await lie(whole, Buffer.concat([bytes, Buffer.from([0])]), [quarter, quarter, quarter, quarter, 1])
    await assert.rejects(fetchWhole(), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /the holder sent more than the 1048576 bytes it announced/.test(err.message))
    await assertNothingStored(cid)
    await lie(whole, bytes, [quarter, quarter, quarter, quarter - 1])
    await assert.rejects(fetchWhole(), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /the holder closed after 1048575 of 1048576 bytes/.test(err.message))
    await assertNothingStored(cid)

    const range: ChunkRange = { offsetBytes: 100, lengthBytes: 1000 }
    const part = bytes.subarray(100, 1100)
    const fetchRange = async (from: JadfsHost): Promise<Buffer> => await collect((await fetchChunk(asker.host, from.peerId, cid, { range })).body)
    const announced = { totalSize: MIB, offset: 100, length: 1000 }
    await lie(announced, bytes.subarray(100), [1001])
    await assert.rejects(fetchRange(liar.host), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /the holder sent more than the 1000 bytes it announced/.test(err.message))
    await lie(announced, bytes.subarray(100), [999])
    await assert.rejects(fetchRange(liar.host), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /the holder closed after 999 of 1000 bytes/.test(err.message))
    // exactly what was announced is taken, from the liar as from a real holder
    await lie(announced, bytes.subarray(100), [1000])
    assert.ok((await fetchRange(liar.host)).equals(part))
    await lie(whole, bytes, [quarter, quarter, quarter, quarter])
    await fetchWhole()
    assert.ok((await asker.store.readBack(cid)).equals(bytes))
  })
})
