// Checks that bad bytes are caught on both sides of a fetch, with real hosts and stores. A
// holder whose chunk file was corrupted on disk answers CHUNK_CORRUPT before sending a byte
// (whole or range), marks its copy bad, and the asker stores nothing; a push of the right
// bytes then heals the holder. A lying holder (a raw handler that announces the chunk and
// sends other bytes of the same length) is caught by the asker's own hash: into a store it
// is CHECKSUM_MISMATCH with nothing stored, and a streamed body throws it at its end.
import { strict as assert } from 'node:assert'
import { readFile, writeFile } from 'node:fs/promises'
import { isJadfsError } from '../../../src/errors.js'
import { fetchChunk } from '../../../src/p2p/protocols/chunk/fetch-chunk.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { fetchRequestCodec, fetchResponseCodec } from '../../../src/p2p/protocols/chunk/codecs.js'
import { CHUNK_FETCH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fake, serve, startPeers, stopPeers } from './peers.js'
import type { Peer } from './peers.js'

describe('chunk protocol: corrupt and lying holders', function () {
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

  afterEach(async () => {
    assert.equal(await asker.store.chunkFileCount(), 0, 'the asker stored nothing')
    assert.equal(await asker.store.tempFileCount(), 0, 'the asker left no temp file')
  })

  it('gets CHUNK_CORRUPT from a holder whose chunk file was damaged on disk, and stores nothing', async () => {
    const bytes = randomChunk(2 * MIB)
    const cid = await holder.store.put(bytes)
    const path = holder.store.files.chunkPath(cid)
    const onDisk = await readFile(path)
    onDisk.writeUInt8(onDisk.readUInt8(MIB) ^ 0x40, MIB)
    await writeFile(path, onDisk)

    await assert.rejects(
      fetchChunk(asker.host, holder.host.peerId, cid, { store: asker.store.chunks }),
      (err) => isJadfsError(err, 'CHUNK_CORRUPT') && err.details?.remote === true && /integrity/.test(err.message)
    )
    assert.equal(asker.store.index.get(cid), undefined)
    assert.equal(holder.store.index.get(cid)?.state, 'bad')
    // A range far from the damage is refused too: the holder checks the whole chunk.
    await assert.rejects(
      fetchChunk(asker.host, holder.host.peerId, cid, { range: { offsetBytes: 0, lengthBytes: 100 } }),
      (err) => isJadfsError(err, 'CHUNK_CORRUPT')
    )

    // The holder does not claim a bad copy, so a push of the right bytes replaces it.
    assert.equal(await pushChunk(asker.host, holder.host.peerId, cid, { sizeBytes: bytes.byteLength, body: [bytes] }), 'stored')
    assert.ok((await holder.store.readBack(cid)).equals(bytes))
  })

  it('catches a holder that sends other bytes than the chunk it announces', async () => {
    const bytes = randomChunk(MIB + 99)
    const cid = await holder.store.put(bytes)
    const other = randomChunk(bytes.byteLength)
    await fake(liar.host, CHUNK_FETCH_PROTOCOL_ID, async (framed) => {
      const signal = AbortSignal.timeout(10_000)
      const req = await framed.read(fetchRequestCodec, signal)
      const offset = req.offset
      const end = req.length === 0 ? other.byteLength : offset + req.length
      await framed.write(fetchResponseCodec, { totalSize: other.byteLength, offset, length: end - offset, errorCode: '', errorMessage: '' }, signal)
      for (let i = offset; i < end; i += 64 * 1024) await framed.writeEncoded(other.subarray(i, Math.min(i + 64 * 1024, end)), signal)
      await framed.closeWrite(signal)
    })

    await assert.rejects(
      fetchChunk(asker.host, liar.host.peerId, cid, { store: asker.store.chunks }),
      (err) => isJadfsError(err, 'CHECKSUM_MISMATCH') && /nothing was stored/.test(err.message)
    )
    assert.equal(asker.store.index.get(cid), undefined)

    const streamed = await fetchChunk(asker.host, liar.host.peerId, cid)
    let receivedBytes = 0
    await assert.rejects((async () => { for await (const part of streamed.body) receivedBytes += part.byteLength })(),
      (err) => isJadfsError(err, 'CHECKSUM_MISMATCH'))
    assert.equal(receivedBytes, bytes.byteLength, 'the mismatch is reported at the end, once all bytes are hashed')
  })
})
