// Checks, between two real libp2p hosts on loopback, that a chunk's provider record is taken
// back when the chunk goes: after provide() the providing host keeps its own record (and the
// other host finds it); after withdraw() its own record is gone, so kad-dht's reprovider no
// longer re-announces it. Fails if withdraw only forgets the chunk in our scheduler. And that a
// withdraw that fails, or whose datastore never answers, resolves (within its timeout) and
// logs why, since a delete must not wait on it.
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

  it('a withdraw that fails or never answers resolves, within its timeout, and logs why', async () => {
    const logged: Array<Record<string, unknown>> = []
    const cid = (await chunkCid('stuck chunk')).toString()
    const failing = dhtAnnouncements({
      provide: () => { throw new Error('unused') },
      cancelReprovide: async () => { throw new Error('datastore broken') }
    }, { debug: (fields) => { logged.push(fields) } })
    await failing.withdraw(cid)
    assert.equal(logged.length, 1)
    assert.equal(logged[0]!.cid, cid)
    assert.match(String(logged[0]!.err), /datastore broken/)

    // a store that ignores everything but the signal, as a stuck one would
    const stuck = dhtAnnouncements({
      provide: () => { throw new Error('unused') },
      cancelReprovide: async (_cid, options) => await new Promise((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => { reject(options.signal?.reason) })
      })
    }, { debug: (fields) => { logged.push(fields) } }, 200)
    const started = Date.now()
    await stuck.withdraw(cid)
    assert.ok(Date.now() - started >= 190, 'waited for the timeout')
    assert.equal(logged.length, 2)
  })
})
