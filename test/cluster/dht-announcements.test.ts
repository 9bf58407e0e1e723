// Checks, between two real libp2p hosts on loopback, that a chunk's provider record is taken
// back when the chunk goes: after provide() the providing host keeps its own record (and the
// other host finds it); after withdraw() its own record is gone, so kad-dht's reprovider no
// longer re-announces it. Fails if withdraw only forgets the chunk in our scheduler.
import { strict as assert } from 'node:assert'
import { dhtAnnouncements } from '../../src/cluster/provide/dht-announcements.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { chunkCid } from '../p2p/helpers/cids.js'
import { waitProvider } from '../p2p/helpers/dht.js'
import { startCluster, stopAll } from '../p2p/helpers/hosts.js'

describe('DHT announcements of chunks', () => {
  let hosts: JadfsHost[] = []
  afterEach(async () => { await stopAll(hosts); hosts = [] })

  it('withdraw removes our own provider record, which provide made', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const logged: object[] = []
    const announce = dhtAnnouncements(a.dht, { debug: (fields) => { logged.push(fields) } })
    const cid = await chunkCid('withdrawn chunk')
    await announce.provide(cid.toString(), AbortSignal.timeout(10_000))
    assert.equal(a.dhtProviderStats().selfRecords, 1)
    await waitProvider(b, cid, a.peerId)

    await announce.withdraw(cid.toString())
    assert.equal(a.dhtProviderStats().selfRecords, 0)
    assert.deepEqual(logged, [])
  })
})
