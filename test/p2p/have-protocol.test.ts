// Checks /jadfs/have/1.0.0 end to end between two real hosts on loopback: the answer bitmap
// matches the holder's hasChunk for every CID in order, an empty batch needs no stream, and
// a malformed id in a request is reported back as PROTOCOL_ERROR without consulting the
// holder's store, and an operating error of the holder (STORAGE_IO) reaches the asker with
// its code, while an unknown code from a peer is refused. A full batch (1024 ids, what repair
// and eviction checks send) is answered; one id more is PROTOCOL_ERROR without asking the store,
// and requestHave sends a longer batch as several requests.
import { strict as assert } from 'node:assert'
import type { CID } from 'multiformats/cid'
import { JadfsError, isJadfsError } from '../../src/errors.js'
import { handleProtocol } from '../../src/p2p/protocols/handle-protocol.js'
import { defineProtocol } from '../../src/p2p/protocols/protocol-spec.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { MAX_CIDS_PER_HAVE_REQUEST, handleHave, haveProtocol, requestHave } from '../../src/p2p/protocols/have/have-protocol.js'
import { request } from '../../src/p2p/protocols/request.js'
import { chunkCid } from './helpers/cids.js'
import { addrOf, startCluster, stopAll } from './helpers/hosts.js'

describe('p2p: have protocol', () => {
  let hosts: JadfsHost[] = []
  afterEach(async () => { await stopAll(hosts); hosts = [] })

  it('answers which chunks the holder has, in request order', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    const cids: CID[] = []
    for (let i = 0; i < 21; i++) cids.push(await chunkCid(`chunk ${i}`))
    const held = new Set(cids.filter((_c, i) => i % 3 === 0 || i === 20).map((c) => c.toString()))
    const asked: string[] = []
    await handleHave(holder, (cid) => { asked.push(cid.toString()); return held.has(cid.toString()) })

    const answer = await requestHave(asker, holder.peerId, cids)
    assert.deepEqual(answer, cids.map((c) => held.has(c.toString())))
    assert.deepEqual(asked, cids.map(String))
    assert.deepEqual(await requestHave(asker, addrOf(holder), []), [])
  })

  it('answers a full batch of MAX_CIDS_PER_HAVE_REQUEST chunks, and a request one chunk longer is PROTOCOL_ERROR unasked', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    const cids: CID[] = []
    for (let i = 0; i <= MAX_CIDS_PER_HAVE_REQUEST; i++) cids.push(await chunkCid(`batch ${i}`))
    let asked = 0
    await handleHave(holder, (cid) => { asked++; return cid.toString() === cids[MAX_CIDS_PER_HAVE_REQUEST - 1]!.toString() })
    // repair and eviction checks send batches of exactly this size
    const full = cids.slice(0, MAX_CIDS_PER_HAVE_REQUEST)
    const answer = await requestHave(asker, holder.peerId, full)
    assert.equal(answer.length, MAX_CIDS_PER_HAVE_REQUEST)
    assert.deepEqual(answer.map((held, i) => held ? i : -1).filter((i) => i >= 0), [MAX_CIDS_PER_HAVE_REQUEST - 1])
    assert.equal(asked, MAX_CIDS_PER_HAVE_REQUEST)
    await assert.rejects(
      request(asker, holder.peerId, haveProtocol, { cids: cids.map((c) => c.bytes) }, { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR')
    )
    assert.equal(asked, MAX_CIDS_PER_HAVE_REQUEST, 'the holder was asked about an over-long request')
    // requestHave sends a longer batch as several requests and answers all of it
    const all = await requestHave(asker, holder.peerId, cids)
    assert.equal(all.length, MAX_CIDS_PER_HAVE_REQUEST + 1)
    assert.deepEqual(all.map((held, i) => held ? i : -1).filter((i) => i >= 0), [MAX_CIDS_PER_HAVE_REQUEST - 1])
    assert.equal(asked, 2 * MAX_CIDS_PER_HAVE_REQUEST + 1)
  })

  it('rejects a request naming something that is not a chunk id', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    let calls = 0
    await handleHave(holder, () => { calls++; return true })
    await assert.rejects(
      request(asker, holder.peerId, haveProtocol, { cids: [new Uint8Array([1, 2, 3])] }, { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /not a raw sha2-256 CIDv1/.test(err.message)
    )
    assert.equal(calls, 0)
  })

  it('passes the holder\'s operating error to the asker with its code', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    await handleHave(holder, () => { throw new JadfsError('STORAGE_IO', 'disk on fire') })
    await assert.rejects(
      requestHave(asker, holder.peerId, [await chunkCid('x')], { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'STORAGE_IO') && /disk on fire/.test(err.message) && err.details?.remote === true
    )
  })

  it('refuses an error code it does not know', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    await handleProtocol(holder, defineProtocol({ ...haveProtocol, errors: undefined }), () => ({ bitmap: new Uint8Array(), count: 0, errorCode: 'EVIL', errorMessage: 'x' }))
    await assert.rejects(
      requestHave(asker, holder.peerId, [await chunkCid('x')], { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR') && /unknown error code/.test(err.message)
    )
  })
})
