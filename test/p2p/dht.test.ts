// Checks the private Kademlia DHT on loopback: with three hosts joined through the first,
// a chunk CID provided by the second is found by the third through the DHT, with the
// provider's loopback address in the record (which the default mapper would have removed),
// and every host speaks our private DHT protocol, not the public /ipfs/kad/1.0.0.
import { strict as assert } from 'node:assert'
import type { PeerInfo } from '@libp2p/interface'
import { DHT_PROTOCOL } from '../../src/p2p/host-limits.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { chunkCid } from './helpers/cids.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

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
    await waitFor('peers in every DHT routing table', async () => {
      const sizes = await Promise.all(hosts.map(async (h) => (await h.libp2p.peerStore.all()).filter((p) => p.protocols.includes(DHT_PROTOCOL)).length))
      return sizes.every((n) => n >= 1)
    }, 10_000)

    const cid = await chunkCid('a chunk held by the provider')
    for await (const _event of provider.dht.provide(cid, { signal: AbortSignal.timeout(10_000) })) { /* run the query to completion */ }

    let found: PeerInfo | undefined
    await waitFor('the seeker to find the provider', async () => {
      for await (const event of seeker.dht.findProviders(cid, { signal: AbortSignal.timeout(5000) })) {
        if (event.name === 'PROVIDER') found = event.providers.find((p) => p.id.equals(provider.peerId))
        if (found !== undefined) break
      }
      return found !== undefined
    }, 15_000, 200)
    assert.ok(found!.multiaddrs.some((ma) => ma.toString().startsWith('/ip4/127.0.0.1/')), `no loopback address in ${found!.multiaddrs.map(String).join(', ')}`)
  })
})
