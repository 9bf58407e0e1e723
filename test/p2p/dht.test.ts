// Checks the private Kademlia DHT on loopback: with three hosts joined through the first,
// a chunk CID provided by the second is found by the third through the DHT, with the
// provider's loopback address in the record (which the default mapper would have removed),
// and every host speaks our private DHT protocol, not the public /ipfs/kad/1.0.0.
import { strict as assert } from 'node:assert'
import { DHT_PROTOCOL } from '../../src/p2p/host-limits.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { chunkCid } from './helpers/cids.js'
import { provide, waitDhtPeers, waitProvider } from './helpers/dht.js'
import { startCluster, stopAll } from './helpers/hosts.js'

describe('p2p: DHT', function () {
  this.timeout(30_000)
  let hosts: JadfsHost[] = []
  afterEach(async () => { await stopAll(hosts); hosts = [] })

  it('finds the provider of a chunk CID across three hosts on loopback', async () => {
    hosts = await startCluster(3)
    const [, provider, seeker] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    for (const h of hosts) {
      assert.ok(h.libp2p.getProtocols().includes(DHT_PROTOCOL))
      assert.ok(!h.libp2p.getProtocols().includes('/ipfs/kad/1.0.0'))
    }
    // The DHT learns peers through identify; wait until each routing table has one.
    await waitDhtPeers(hosts.map((h) => h.libp2p), 1)

    const cid = await chunkCid('a chunk held by the provider')
    await provide(provider, cid)
    const found = await waitProvider(seeker, cid, provider.peerId)
    assert.ok(found.multiaddrs.some((ma) => ma.toString().startsWith('/ip4/127.0.0.1/')), `no loopback address in ${found.multiaddrs.map(String).join(', ')}`)
  })
})
