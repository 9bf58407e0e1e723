// Checks, between real libp2p hosts on loopback, what other peers can make us keep in the DHT.
// A flooder (a host with our options) provides N+1 distinct chunk CIDs to a host that keeps at
// most N records: exactly N are kept and one is refused, and afterwards our own provide and
// findProviders still work in both directions (a CID whose record we refused is still found,
// from the flooder itself); the per-peer limit is the same store's count, tested in
// dht-provider-store.test.ts. Records expire: with a short validity, kad-dht's
// cleanup drops them through our store and a refused record is then accepted. A PUT_VALUE from
// a plain kad-dht peer (a valid public-key record, which kad-dht's defaults accept) is refused
// and nothing is kept, and the record is not taken from the DHT either.
import { strict as assert } from 'node:assert'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import type { KadDHT } from '@libp2p/kad-dht'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { CID } from 'multiformats/cid'
import { DHT_PROTOCOL } from '../../src/p2p/host-limits.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { chunkCid } from './helpers/cids.js'
import { DHT_QUERY_MS, provide, waitDhtPeers, waitProvider } from './helpers/dht.js'
import { LOOPBACK_LISTEN, addrOf, startHost, stopAll, waitFor } from './helpers/hosts.js'

/** Waits until `host` has dealt with `offered` new records (kept or refused): ADD_PROVIDER has no answer. */
async function waitHandled (host: JadfsHost, offered: number): Promise<void> {
  await waitFor(`${offered} provider records handled`, () => {
    const { records, refused } = host.dhtProviderStats()
    return records + refused >= offered
  }, 10_000)
}

async function cids (label: string, count: number): Promise<CID[]> {
  return await Promise.all(Array.from({ length: count }, async (_, i) => await chunkCid(`${label} ${i}`)))
}

describe('p2p: DHT record limits', function () {
  this.timeout(60_000)
  let hosts: JadfsHost[] = []
  let plain: Array<Libp2p<{ dht: KadDHT }>> = []
  afterEach(async () => {
    await Promise.all(plain.map(async (node) => { await node.stop() }))
    await stopAll(hosts)
    hosts = []
    plain = []
  })

  it('keeps exactly N records when a peer provides N+1, and providing and finding still work', async () => {
    const N = 4
    const target = await startHost({ dhtProviders: { maxRecords: N } })
    const flooder = await startHost({ bootstrap: [addrOf(target).toString()] })
    hosts = [target, flooder]
    await waitDhtPeers(hosts.map((h) => h.libp2p))

    for (const cid of await cids('flood', N + 1)) await provide(flooder, cid)
    await waitHandled(target, N + 1)
    assert.deepEqual(target.dhtProviderStats(), { records: N, selfRecords: 0, peers: 1, refused: 1 })

    // our own provide is not counted against the limit, and the flooder finds us
    const ours = await chunkCid('held by the target')
    await provide(target, ours)
    assert.equal(target.dhtProviderStats().selfRecords, 1)
    await waitProvider(flooder, ours, target.peerId)
    // a record we refuse is still found, from the provider itself
    const theirs = await chunkCid('held by the flooder, past the limit')
    await provide(flooder, theirs)
    await waitHandled(target, N + 2)
    assert.deepEqual(target.dhtProviderStats(), { records: N, selfRecords: 1, peers: 1, refused: 2 })
    await waitProvider(target, theirs, flooder.peerId)
  })

  it('drops expired records, which frees room for new ones', async () => {
    const target = await startHost({ dhtProviders: { maxRecords: 2, validityMs: 1000, cleanupIntervalMs: 200 } })
    const flooder = await startHost({ bootstrap: [addrOf(target).toString()] })
    hosts = [target, flooder]
    await waitDhtPeers(hosts.map((h) => h.libp2p))

    const [a, b, c] = await cids('expiring', 3) as [CID, CID, CID]
    for (const cid of [a, b, c]) await provide(flooder, cid)
    await waitHandled(target, 3)
    assert.deepEqual(target.dhtProviderStats(), { records: 2, selfRecords: 0, peers: 1, refused: 1 })
    await waitFor('the records to expire', () => target.dhtProviderStats().records === 0, 10_000)
    await provide(flooder, c)
    await waitFor('the once refused record to be kept', () => target.dhtProviderStats().records === 1, 10_000)
    assert.equal(target.dhtProviderStats().refused, 1)
  })

  it('refuses a PUT_VALUE and keeps nothing, and does not take value records from the DHT', async () => {
    const target = await startHost()
    hosts = [target]
    // A plain kad-dht peer on our protocol, with kad-dht's default validators and datastore.
    const peer = await createLibp2p({
      addresses: { listen: [LOOPBACK_LISTEN] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper })
      }
    })
    plain = [peer]
    await peer.dial(addrOf(target))
    await waitDhtPeers([target.libp2p, peer])

    // A public-key record is valid for kad-dht's built-in validator: anyone can make one per key pair.
    const key = new Uint8Array([...new TextEncoder().encode('/pk/'), ...peer.peerId.toMultihash().bytes])
    const value = publicKeyToProtobuf(peer.peerId.publicKey!)
    let accepted = 0
    let failed = 0
    for await (const event of peer.services.dht.put(key, value, { signal: AbortSignal.timeout(DHT_QUERY_MS) })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE' && event.from.equals(target.peerId)) accepted++
      if (event.name === 'QUERY_ERROR' && event.from.equals(target.peerId)) failed++
    }
    assert.deepEqual({ accepted, failed }, { accepted: 0, failed: 1 })
    assert.deepEqual(target.dhtProviderStats(), { records: 0, selfRecords: 0, peers: 0, refused: 0 })

    // the peer holds the record and answers GET_VALUE with it; we do not accept it
    const values: Uint8Array[] = []
    for await (const event of target.dht.get(key, { signal: AbortSignal.timeout(DHT_QUERY_MS) })) {
      if (event.name === 'VALUE') values.push(event.value)
    }
    assert.deepEqual(values, [])
  })
})
