// The private DHT of real hosts, as the DHT tests drive it: a provide run to its end, and
// polls for routing-table peers and for a provider record to be found.
import { strict as assert } from 'node:assert'
import type { PeerId, PeerInfo, PeerStore } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { DHT_PROTOCOL } from '../../../src/p2p/host-limits.js'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { waitFor } from './hosts.js'

/** The bound of one DHT query (a provide). */
export const DHT_QUERY_MS = 10_000

/** Runs kad-dht's provide of `cid` (a query yielding events) to its end. */
export async function provide (host: Pick<JadfsHost, 'dht'>, cid: CID): Promise<void> {
  for await (const _event of host.dht.provide(cid, { signal: AbortSignal.timeout(DHT_QUERY_MS) })) { /* run the query to its end */ }
}

/** Polls findProviders on `seeker` until `provider` is listed for `cid`; its record as found. */
export async function waitProvider (seeker: Pick<JadfsHost, 'dht' | 'peerId'>, cid: CID, provider: PeerId): Promise<PeerInfo> {
  let found: PeerInfo | undefined
  await waitFor(`${seeker.peerId.toString()} to find ${provider.toString()} providing ${cid.toString()}`, async () => {
    for await (const event of seeker.dht.findProviders(cid, { signal: AbortSignal.timeout(5000) })) {
      if (event.name === 'PROVIDER') found = event.providers.find((p) => p.id.equals(provider))
      if (found !== undefined) return true
    }
    return false
  }, 15_000, 200)
  assert.ok(found !== undefined)
  return found
}

/**
 * Until every node's peer store lists at least `minPeers` peers speaking our DHT protocol (by
 * default every other node), so provides reach them. The DHT learns peers through identify.
 */
export async function waitDhtPeers (nodes: ReadonlyArray<{ peerStore: PeerStore }>, minPeers = nodes.length - 1): Promise<void> {
  await waitFor('peers in every DHT routing table', async () => {
    const sizes = await Promise.all(nodes.map(async (n) => (await n.peerStore.all()).filter((p) => p.protocols.includes(DHT_PROTOCOL)).length))
    return sizes.every((n) => n >= minPeers)
  }, 10_000)
}
