// Checks StreamReader on real yamux streams over loopback. The first case is the one the
// stream's own async iterator gets wrong: reading starts only after the peer has sent its
// data and closed, and the reader must still deliver every byte and then end. Also: past
// the high-water mark the stream is paused and nothing is lost; a reset ends with an error.
import { strict as assert } from 'node:assert'
import type { Stream } from '@libp2p/interface'
import type { JadfsHost } from '../../src/p2p/host.js'
import { startDeadline } from '../../src/p2p/protocols/deadline.js'
import { raceSignal } from '../../src/util/race-signal.js'
import { StreamReader } from '../../src/p2p/protocols/stream-reader.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

const PROTOCOL = '/jadfs/test-reader/1.0.0'

/** Reads everything, failing instead of hanging if the reader never ends. */
async function readAll (reader: StreamReader, timeoutMs = 5000): Promise<number> {
  const deadline = startDeadline(timeoutMs, 'reading the stream')
  try {
    return await raceSignal((async () => {
      let bytes = 0
      for await (const chunk of reader) bytes += chunk.byteLength
      return bytes
    })(), deadline.signal)
  } finally {
    deadline.clear()
  }
}

describe('p2p: stream reader', () => {
  let hosts: JadfsHost[] = []
  let reader: JadfsHost
  let writer: JadfsHost
  beforeEach(async () => {
    hosts = await startCluster(2)
    ;[reader, writer] = hosts as [JadfsHost, JadfsHost]
  })
  afterEach(async () => { await stopAll(hosts); hosts = [] })

  async function openWith (behave: (stream: Stream) => Promise<void>): Promise<Stream> {
    await writer.handle(PROTOCOL, (stream) => { void behave(stream).catch(() => {}) }, { maxInboundStreams: 4, maxOutboundStreams: 4 })
    const stream = await reader.dialProtocol(writer.peerId, PROTOCOL)
    stream.send(new Uint8Array([1]))
    await stream.close()
    return stream
  }

  it('delivers everything and ends when reading starts after the peer closed', async () => {
    const stream = await openWith(async (s) => {
      for (let i = 0; i < 3; i++) s.send(new Uint8Array(1000))
      await s.close()
    })
    await waitFor('the peer to close its end', () => stream.remoteWriteStatus === 'closed', 5000, 5)
    assert.equal(await readAll(new StreamReader(stream, 1 << 20)), 3000)
  })

  it('pauses the stream above the high-water mark and loses nothing', async () => {
    const totalBytes = 256 * 1024
    const stream = await openWith(async (s) => {
      for (let sent = 0; sent < totalBytes; sent += 4096) {
        if (!s.send(new Uint8Array(4096))) await s.onDrain()
      }
      await s.close()
    })
    const r = new StreamReader(stream, 8 * 1024)
    await waitFor('the stream to be paused', () => stream.readStatus === 'paused', 5000, 5)
    assert.equal(await readAll(r), totalBytes)
  })

  it('ends with an error when the peer resets the stream', async () => {
    const stream = await openWith(async (s) => {
      // Wait for the opener's byte, so the reset cannot race protocol negotiation.
      for await (const _chunk of s) {
        s.send(new Uint8Array(10))
        s.abort(new Error('peer gives up'))
        break
      }
    })
    const r = new StreamReader(stream, 1 << 20)
    await assert.rejects(readAll(r), (err: Error) => err.name === 'StreamResetError')
  })
})
