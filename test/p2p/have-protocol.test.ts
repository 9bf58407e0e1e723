// Checks /jadfs/have/1.0.0 end to end between two real hosts on loopback: the answer bitmap
// matches the holder's hasChunk for every CID in order, an empty batch needs no stream, and
// a malformed id in a request makes the holder reset the stream (a PROTOCOL_ERROR here).
import { strict as assert } from 'node:assert'
import type { CID } from 'multiformats/cid'
import { isJadfsError } from '../../src/errors.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { handleHave, haveProtocol, requestHave } from '../../src/p2p/protocols/have/have-protocol.js'
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

  it('rejects a request naming something that is not a chunk id', async () => {
    hosts = await startCluster(2)
    const [asker, holder] = hosts as [JadfsHost, JadfsHost]
    let calls = 0
    await handleHave(holder, () => { calls++; return true })
    await assert.rejects(
      request(asker, holder.peerId, haveProtocol, { cids: [new Uint8Array([1, 2, 3])] }, { timeoutMs: 5000 }),
      (err) => isJadfsError(err, 'PROTOCOL_ERROR')
    )
    assert.equal(calls, 0)
  })
})
