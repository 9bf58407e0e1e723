// Checks the framed request/response toolkit against real misbehaving peers on loopback.
// The misbehaving side is a raw libp2p handler, so each failure mode is produced on the
// wire: a peer that accepts and stays silent (TIMEOUT within the deadline), an opener that
// never sends (reset by the server at its timeout), an over-size
// frame (MESSAGE_TOO_LARGE), a close in the middle of a frame or before any frame
// (PROTOCOL_ERROR), a second response (PROTOCOL_ERROR, the stream the peer keeps open
// reset), the inbound stream limit (excess streams reset, the rest served),
// the outbound limit (PEER_BUSY), and stopping the host (pending requests end at once).
import { strict as assert } from 'node:assert'
import * as lp from 'it-length-prefixed'
import type { Stream } from '@libp2p/interface'
import { isJadfsError } from '../../src/errors.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { handleProtocol } from '../../src/p2p/protocols/handle-protocol.js'
import { haveProtocol } from '../../src/p2p/protocols/have/have-protocol.js'
import type { HaveResponse } from '../../src/p2p/protocols/have/have.js'
import { defineProtocol } from '../../src/p2p/protocols/protocol-spec.js'
import { request } from '../../src/p2p/protocols/request.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

const TEST_PROTOCOL = '/jadfs/test-toolkit/1.0.0'
// The have codecs serve as a convenient request/response pair.
const spec = defineProtocol({ ...haveProtocol, id: TEST_PROTOCOL, timeoutMs: 5000 })
const REQUEST = { cids: [new Uint8Array([1, 2, 3])] }
const answer = (bitmap: number[], count: number): HaveResponse => ({ bitmap: new Uint8Array(bitmap), count, errorCode: '', errorMessage: '' })

/** Registers a raw handler that does whatever `behave` says with each stream. */
async function rawHandler (host: JadfsHost, behave: (stream: Stream) => Promise<void> | void): Promise<Stream[]> {
  const streams: Stream[] = []
  await host.handle(TEST_PROTOCOL, (stream) => {
    streams.push(stream)
    void Promise.resolve(behave(stream)).catch(() => {})
  }, { maxInboundStreams: 8, maxOutboundStreams: 8 })
  return streams
}

/** Streams of the test protocol that `from` has open to `to`. */
function openStreams (from: JadfsHost, to: JadfsHost): number {
  return from.libp2p.getConnections(to.peerId).flatMap((c) => c.streams).filter((s) => s.protocol === TEST_PROTOCOL).length
}

describe('p2p: protocol toolkit', () => {
  let hosts: JadfsHost[] = []
  let asker: JadfsHost
  let peer: JadfsHost
  beforeEach(async () => {
    hosts = await startCluster(2)
    ;[asker, peer] = hosts as [JadfsHost, JadfsHost]
  })
  afterEach(async () => { await stopAll(hosts); hosts = [] })

  it('fails with TIMEOUT within the deadline when the peer accepts and never answers', async () => {
    const streams = await rawHandler(peer, () => {})
    const timeoutMs = 400
    const started = Date.now()
    await assert.rejects(request(asker, peer.peerId, spec, REQUEST, { timeoutMs }), (err) => isJadfsError(err, 'TIMEOUT'))
    const elapsedMs = Date.now() - started
    assert.ok(elapsedMs >= timeoutMs - 20 && elapsedMs < timeoutMs + 1000, `took ${elapsedMs} ms`)
    assert.equal(streams.length, 1, 'the peer did accept the stream')
  })

  it('rejects a response frame over the size limit as soon as its length prefix arrives', async () => {
    await rawHandler(peer, (stream) => {
      // Claims a 1 MiB payload; only the prefix and a few bytes are ever sent.
      stream.send(lp.encode.single(new Uint8Array(1024 * 1024)).subarray(0, 16))
    })
    await assert.rejects(
      request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 5000, maxResponseBytes: 64 }),
      (err) => isJadfsError(err, 'MESSAGE_TOO_LARGE')
    )
  })

  it('rejects a second response with PROTOCOL_ERROR and resets the stream the peer keeps open', async () => {
    const streams = await rawHandler(peer, (stream) => {
      const frame = lp.encode.single(haveProtocol.response.encode(answer([1], 1))).subarray()
      stream.send(frame)
      stream.send(frame)
      // and never closes its end
    })
    await assert.rejects(request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 5000 }), (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /more than one response/.test(err.message))
    await waitFor('the asker to drop the stream', () => openStreams(asker, peer) === 0, 5000, 10)
    await waitFor('the peer to see its stream reset', () => streams[0]?.status === 'reset', 5000, 10)
  })

  it('rejects a request over the limit on the serving side, resetting the stream', async () => {
    let served = 0
    await handleProtocol(peer, defineProtocol({ ...spec, maxRequestBytes: 16 }), () => { served++; return answer([], 0) })
    const big = { cids: [new Uint8Array(64)] }
    await assert.rejects(request(asker, peer.peerId, spec, big, { timeoutMs: 5000 }), (err) => isJadfsError(err, 'PROTOCOL_ERROR'))
    assert.equal(served, 0)
  })

  it("carries a response over 4 MiB (the framing library's default cap) when the protocol allows it", async () => {
    const bigBytes = 5 * 1024 * 1024
    const bigSpec = defineProtocol({ ...spec, maxResponseBytes: 8 * 1024 * 1024 })
    await handleProtocol(peer, bigSpec, () => answer(new Array<number>(bigBytes).fill(7), 1))
    const response = await request(asker, peer.peerId, bigSpec, REQUEST, { timeoutMs: 10_000 })
    assert.equal(response.bitmap.byteLength, bigBytes)
    assert.equal(response.bitmap[bigBytes - 1], 7)
  })

  it('refuses to send a request over the limit without opening a stream to the peer', async () => {
    await rawHandler(peer, () => {})
    const tiny = defineProtocol({ ...spec, maxRequestBytes: 4 })
    await assert.rejects(request(asker, peer.peerId, tiny, REQUEST, { timeoutMs: 5000 }), (err) => isJadfsError(err, 'MESSAGE_TOO_LARGE'))
    assert.equal(openStreams(asker, peer), 0)
  })

  it('reports a peer that closes in the middle of a message', async () => {
    await rawHandler(peer, async (stream) => {
      const frame = lp.encode.single(new Uint8Array(100)).subarray()
      stream.send(frame.subarray(0, 30))
      await stream.close()
    })
    await assert.rejects(
      request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /middle of a message/.test(err.message)
    )
  })

  it('reports a peer that closes without answering', async () => {
    await rawHandler(peer, async (stream) => { await stream.close() })
    await assert.rejects(
      request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /before sending a message/.test(err.message)
    )
  })

  it('resets a stream whose opener never sends its request, at the protocol timeout', async () => {
    const timeoutMs = 300
    let served = 0
    await handleProtocol(peer, defineProtocol({ ...spec, timeoutMs }), () => { served++; return answer([], 0) })
    // Timed from before the dial: the server's clock starts later, when it sees the stream.
    const started = Date.now()
    const stream = await asker.dialProtocol(peer.peerId, TEST_PROTOCOL)
    await waitFor('the server to reset the stream', () => stream.status === 'reset', 5000, 10)
    const elapsedMs = Date.now() - started
    assert.ok(elapsedMs >= timeoutMs - 5 && elapsedMs < timeoutMs + 1000, `took ${elapsedMs} ms`)
    assert.equal(served, 0)
  })

  it('enforces the inbound stream limit: streams above it are reset, those at it are served', async () => {
    const limit = 2
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => { release = resolve })
    let entered = 0
    await handleProtocol(peer, defineProtocol({ ...spec, maxInboundStreams: limit }), async () => {
      entered++
      await gate
      return answer([1], 1)
    })
    const held = [0, 1].map(async () => await request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 10_000 }))
    await waitFor('the first two requests to reach the responder', () => entered === limit, 5000)
    const started = Date.now()
    await assert.rejects(request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 10_000 }), (err) => isJadfsError(err, 'PROTOCOL_ERROR'))
    assert.ok(Date.now() - started < 5000, 'the excess stream was refused, not left to time out')
    assert.equal(entered, limit)
    release()
    for (const res of await Promise.all(held)) assert.deepEqual({ bitmap: [...res.bitmap], count: res.count }, { bitmap: [1], count: 1 })
  })

  it('enforces the outbound stream limit on the asking side with PEER_BUSY', async () => {
    await rawHandler(peer, () => {})
    const one = defineProtocol({ ...spec, maxOutboundStreams: 1 })
    const first = request(asker, peer.peerId, one, REQUEST, { timeoutMs: 1000 })
    first.catch(() => {})
    await waitFor('the first stream to open', () => openStreams(asker, peer) === 1, 5000)
    await assert.rejects(request(asker, peer.peerId, one, REQUEST, { timeoutMs: 3000 }), (err) => isJadfsError(err, 'PEER_BUSY'))
    await assert.rejects(first, (err) => isJadfsError(err, 'TIMEOUT'))
  })

  it('ends pending requests with SHUTTING_DOWN as soon as the host stops', async () => {
    await rawHandler(peer, () => {})
    const pending = request(asker, peer.peerId, spec, REQUEST, { timeoutMs: 30_000 })
    pending.catch(() => {})
    await waitFor('the stream to open', () => openStreams(asker, peer) === 1, 5000)
    const started = Date.now()
    await asker.stop()
    await assert.rejects(pending, (err) => isJadfsError(err, 'SHUTTING_DOWN'))
    assert.ok(Date.now() - started < 5000)
  })
})
