// Checks push between real hosts on loopback with real chunk stores in temp dirs: a pushed
// chunk is stored on the receiver (read back through its verified read, and announced to
// onStored with the sender's id); a second push is answered already-had without its bytes
// being read, and a cached copy (fetched for a read) it already had becomes one of the
// chunk's copies, since the sender now counts on it; a push with one flipped byte is CHECKSUM_MISMATCH with no chunk file, no index
// row and no temp file on the receiver; a receiver whose disk fills mid-chunk answers
// NO_SPACE and keeps nothing (and gives back the room it claimed), and one that cannot claim
// room answers NO_SPACE before
// any byte is sent; a source shorter than it declared fails locally and the
// receiver keeps nothing; pushing from the sender's own store re-hashes its copy first.
import { strict as assert } from 'node:assert'
import { readFile, writeFile } from 'node:fs/promises'
import type { PeerId } from '@libp2p/interface'
import { JadfsError, isJadfsError } from '../../../src/errors.js'
import { openPushSource, pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import type { PushSource } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import type { StoredChunk } from '../../../src/store/chunk-store.js'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { createHash } from 'node:crypto'
import { CHUNK_PUSH_PROTOCOL_ID } from '../../../src/p2p/protocols/chunk/constants.js'
import { waitFor } from '../helpers/hosts.js'
import { MIB, randomChunk } from './store-fixture.js'
import { fullDiskAfter, serve, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

function cidOf (bytes: Uint8Array): string {
  return chunkCidFromSha256(createHash('sha256').update(bytes).digest())
}

/** A source over `bytes` in 100 KiB pieces that records whether it was read and closed. */
function sourceOf (bytes: Uint8Array, declaredBytes = bytes.byteLength): PushSource & { read: boolean, closed: boolean } {
  const state = { read: false, closed: false }
  async function * body (): AsyncGenerator<Uint8Array> {
    state.read = true
    for (let i = 0; i < bytes.byteLength; i += 100 * 1024) yield bytes.subarray(i, i + 100 * 1024)
  }
  return Object.assign(state, { sizeBytes: declaredBytes, body: body(), close: async () => { state.closed = true } })
}

/** Push streams `from` has open to `to`. */
function pushStreams (from: Peer, to: Peer): number {
  return from.host.libp2p.getConnections(to.host.peerId).flatMap((c) => c.streams).filter((s) => s.protocol === CHUNK_PUSH_PROTOCOL_ID).length
}

async function assertNothingStored (peer: Peer, cid: string): Promise<void> {
  assert.equal(peer.store.index.get(cid), undefined)
  assert.equal(await peer.store.chunkFileCount(), 0)
  assert.equal(await peer.store.tempFileCount(), 0)
}

describe('chunk protocol: push', function () {
  let peers: Peer[] = []
  let sender: Peer
  let receiver: Peer
  let fullReceiver: Peer
  let roomClaimed = 0
  let roomReleased = 0
  const stored: Array<{ chunk: StoredChunk, from: PeerId }> = []

  before(async () => {
    peers = await startPeers(3, [undefined, undefined, fullDiskAfter(2)])
    ;[sender, receiver, fullReceiver] = peers as [Peer, Peer, Peer]
    await serve(receiver, {}, { onStored: (chunk, from) => { stored.push({ chunk, from }) } })
    // Its free-space check says no to chunks over 5 MiB; smaller ones find the disk full.
    await serve(fullReceiver, {}, {
      claimRoom: async (sizeBytes) => {
        if (sizeBytes > 5 * MIB) throw new JadfsError('NO_SPACE', `no room for ${sizeBytes} bytes`)
        roomClaimed++
        return () => { roomReleased++ }
      }
    })
  })
  after(async () => { await stopPeers(peers) })

  it('stores a pushed chunk on the receiver, then answers already-had without reading it again', async () => {
    const bytes = randomChunk(3 * MIB + 5)
    const cid = cidOf(bytes)
    const first = sourceOf(bytes)
    assert.equal(await pushChunk(sender.host, receiver.host.peerId, cid, first), 'stored')
    assert.ok(first.read && first.closed)
    assert.ok((await receiver.store.readBack(cid)).equals(bytes))
    assert.equal(await receiver.store.tempFileCount(), 0)
    assert.deepEqual(stored.map((s) => [s.chunk, s.from.toString()]), [[{ cid, sizeBytes: bytes.byteLength }, sender.host.peerId.toString()]])

    const again = sourceOf(bytes)
    assert.equal(await pushChunk(sender.host, receiver.host.peerId, cid, again), 'already-had')
    assert.ok(!again.read && again.closed, 'the bytes of a chunk the receiver has are not read')
    await waitForIdle(receiver)
    // Both exchanges ended cleanly: no push stream is left open on either side.
    await waitFor('push streams to close', () => pushStreams(sender, receiver) + pushStreams(receiver, sender) === 0, 2000, 10)
  })

  it('already-had over a cached copy makes it one of the chunk\'s copies (it will not be evicted)', async () => {
    const bytes = randomChunk(MIB + 3)
    const cid = cidOf(bytes)
    const writer = await receiver.store.chunks.createWriter()
    await writer.write(bytes)
    ;(await receiver.store.chunks.commit(writer, { expectedCid: cid, cached: true })).release()
    assert.equal(receiver.store.index.get(cid)?.cached, true)
    assert.equal(await pushChunk(sender.host, receiver.host.peerId, cid, sourceOf(bytes)), 'already-had')
    assert.equal(receiver.store.index.get(cid)?.cached, false)
  })

  it('refuses bytes with one flipped byte as CHECKSUM_MISMATCH and keeps nothing', async () => {
    const bytes = randomChunk(2 * MIB)
    const cid = cidOf(bytes)
    const flipped = Buffer.from(bytes)
    flipped.writeUInt8(flipped.readUInt8(1_234_567) ^ 0x01, 1_234_567)
    await assert.rejects(
      pushChunk(sender.host, receiver.host.peerId, cid, sourceOf(flipped)),
      (err) => isJadfsError(err, 'CHECKSUM_MISMATCH') && err.details?.remote === true
    )
    assert.equal(receiver.store.index.get(cid), undefined)
    assert.equal(receiver.store.index.get(cidOf(flipped)), undefined, 'not stored under its true id either')
    assert.equal(await receiver.store.tempFileCount(), 0)
    await waitForIdle(receiver)
  })

  it('answers NO_SPACE when the receiver\'s disk fills mid-chunk, keeping nothing', async () => {
    const bytes = randomChunk(4 * MIB)
    const cid = cidOf(bytes)
    await assert.rejects(
      pushChunk(sender.host, fullReceiver.host.peerId, cid, sourceOf(bytes)),
      (err) => isJadfsError(err, 'NO_SPACE') && err.details?.remote === true
    )
    await assertNothingStored(fullReceiver, cid)
    await waitForIdle(fullReceiver)
    assert.deepEqual([roomClaimed, roomReleased], [1, 1], 'the room the push claimed was not given back')
  })

  it('answers NO_SPACE before any byte is sent when the receiver knows it has no room', async () => {
    const bytes = randomChunk(6 * MIB)
    const source = sourceOf(bytes)
    await assert.rejects(
      pushChunk(sender.host, fullReceiver.host.peerId, cidOf(bytes), source),
      (err) => isJadfsError(err, 'NO_SPACE') && /no room/.test(err.message)
    )
    assert.ok(!source.read && source.closed)
    await assertNothingStored(fullReceiver, cidOf(bytes))
  })

  it('fails locally when the source yields less than it declared; the receiver keeps nothing', async () => {
    const bytes = randomChunk(MIB)
    const cid = cidOf(bytes)
    const short = sourceOf(bytes.subarray(0, MIB - 1), MIB)
    await assert.rejects(pushChunk(sender.host, fullReceiver.host.peerId, cid, short), (err) => isJadfsError(err, 'INVALID_ARGUMENT') && /only/.test(err.message))
    assert.ok(short.closed)
    await waitForIdle(fullReceiver)
    await assertNothingStored(fullReceiver, cid)
  })

  it('pushes from the sender\'s store only after re-hashing its copy', async () => {
    const bytes = randomChunk(MIB + 3)
    const cid = await sender.store.put(bytes)
    assert.equal(await pushChunk(sender.host, receiver.host.peerId, cid, await openPushSource(sender.store, cid)), 'stored')
    assert.ok((await receiver.store.readBack(cid)).equals(bytes))

    const other = await sender.store.put(randomChunk(MIB))
    const path = sender.store.files.chunkPath(other)
    const onDisk = await readFile(path)
    onDisk.writeUInt8(onDisk.readUInt8(10) ^ 0xff, 10)
    await writeFile(path, onDisk)
    await assert.rejects(openPushSource(sender.store, other), (err) => isJadfsError(err, 'CHUNK_CORRUPT'))
    assert.equal(receiver.store.index.get(other), undefined)
  })
})
