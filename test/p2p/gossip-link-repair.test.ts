// Checks that gossip between two connected peers recovers after gossipsub drops one of them.
// On real libp2p hosts a gossip stream is reset while the connection stays open: the other
// side's gossipsub drops the peer and, without the repair, never takes it back (the first
// test shows that premise: heartbeats stop for good). With the repair running, heartbeats
// flow both ways again. Then, on fakes, the repair's decisions: who is knocked, who is left
// alone (known to gossipsub, connected only briefly, not speaking gossipsub), and a peer still
// missing the whole hang-up wait after its knock is hung up on.
import { strict as assert } from 'node:assert'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { ClusterGossip } from '../../src/p2p/gossip/cluster-gossip.js'
import type { HeartbeatStats } from '../../src/p2p/gossip/cluster-gossip.js'
import { GossipLinkRepair, libp2pGossipLinks } from '../../src/p2p/gossip/gossip-link-repair.js'
import type { LinkConnection } from '../../src/p2p/gossip/gossip-link-repair.js'
import { RaftRole } from '../../src/p2p/gossip/heartbeat.js'
import { GOSSIP_TOPICS } from '../../src/p2p/gossip/topics.js'
import type { ReceivedHeartbeat } from '../../src/p2p/gossip/validate.js'
import type { JadfsHost, JadfsHostInit } from '../../src/p2p/host.js'
import { silentLogger } from '../../src/p2p/logger.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

const STATS: HeartbeatStats = {
  freeBytes: 2 ** 40,
  usedBytes: 0,
  chunkCount: 0,
  raftRole: RaftRole.RAFT_ROLE_FOLLOWER,
  raftTerm: 1,
  version: '0.1.0',
  apiAddress: 'http://127.0.0.1:5080'
}

describe('p2p: gossip link repair', function () {
  this.timeout(40_000)
  let hosts: JadfsHost[] = []
  let gossips: ClusterGossip[] = []
  let heard: ReceivedHeartbeat[][] = []

  async function startPair (init: Partial<JadfsHostInit>): Promise<void> {
    hosts = await startCluster(2, init)
    gossips = hosts.map((h) => new ClusterGossip({ pubsub: h.pubsub, peerId: h.peerId, logger: silentLogger, nowMs: () => Date.now() }))
    heard = hosts.map(() => [])
    gossips.forEach((g, i) => { g.start(); g.onHeartbeat((hb) => heard[i]!.push(hb)) })
    await waitFor('subscriptions to propagate', () => hosts.every((h) => h.pubsub.getSubscribers(GOSSIP_TOPICS.heartbeat).length === 1))
  }

  afterEach(async () => {
    for (const g of gossips) g.stop()
    await stopAll(hosts)
    hosts = []
    gossips = []
  })

  /** publishes from `from` until `to` has heard it, or fails after timeoutMs */
  async function heardWithin (from: number, to: number, timeoutMs: number): Promise<boolean> {
    const before = heard[to]!.length
    try {
      await waitFor(`a heartbeat from host ${from} at host ${to}`, async () => {
        await gossips[from]!.publishHeartbeat(STATS)
        return heard[to]!.length > before
      }, timeoutMs, 200)
      return true
    } catch {
      return false
    }
  }

  /** resets host 0's outbound gossip stream to host 1, leaving their connection open */
  async function resetGossipStream (waitForDrop: boolean): Promise<void> {
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const streams = a.libp2p.getConnections(b.peerId).flatMap((c) => c.streams)
      .filter((s) => s.protocol.startsWith('/meshsub/') && s.direction === 'outbound')
    assert.equal(streams.length, 1, 'one outbound gossip stream from host 0 to host 1')
    streams[0]!.abort(new Error('planted stream reset'))
    if (waitForDrop) await waitFor('host 1 to drop host 0 from gossipsub', () => !b.pubsub.getPeers().some((p) => p.equals(a.peerId)), 5_000)
    assert.ok(a.libp2p.getConnections(b.peerId).some((c) => c.status === 'open'), 'the connection stays open')
  }

  it('without the repair, a reset gossip stream silences the link for good (the library behaviour it works around)', async () => {
    await startPair({ gossipLinkRepair: 'off' })
    assert.ok(await heardWithin(0, 1, 10_000), 'gossip works before the reset')
    await resetGossipStream(true)
    assert.equal(await heardWithin(0, 1, 4_000), false, 'host 1 still hears host 0: the premise of the repair is gone')
    assert.ok(!hosts[1]!.pubsub.getPeers().some((p) => p.equals(hosts[0]!.peerId)), 'host 1 took host 0 back by itself')
  })

  it('with the repair, heartbeats flow both ways again while the connection stays up', async () => {
    // the repair may mend the link before a poll could see it broken, so its own log shows it acted
    const repairs: string[] = []
    const logger = { ...silentLogger, info: (_fields: Record<string, unknown>, message: string) => { if (message.startsWith('gossip with a connected peer')) repairs.push(message) } }
    await startPair({ gossipLinkRepair: { intervalMs: 300, graceMs: 0, stepTimeoutMs: 2_000, hangUpAfterMs: 60_000 }, logger })
    assert.ok(await heardWithin(0, 1, 10_000), 'gossip works before the reset')
    assert.deepEqual(repairs, [], 'nothing to repair before the reset')
    const connectionsBefore = hosts[0]!.libp2p.getConnections(hosts[1]!.peerId).map((c) => c.id)
    await resetGossipStream(false)
    assert.ok(await heardWithin(0, 1, 10_000), 'host 1 hears host 0 again')
    assert.ok(await heardWithin(1, 0, 10_000), 'host 0 hears host 1 again')
    assert.ok(repairs.length >= 1, 'the repair knocked')
    // the knock was enough: nobody hung up
    assert.ok(hosts[0]!.libp2p.getConnections(hosts[1]!.peerId).some((c) => connectionsBefore.includes(c.id)), 'the original connection was kept')
  })

  it('when a knock does not help, hanging up makes the next connection bring gossip back on both sides', async () => {
    await startPair({ gossipLinkRepair: 'off' })
    assert.ok(await heardWithin(0, 1, 10_000), 'gossip works before the reset')
    await resetGossipStream(true)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    // host 1's repair, with a knock that never arrives
    const repair = new GossipLinkRepair({ ...libp2pGossipLinks(b.libp2p, silentLogger), knock: async () => {} },
      { intervalMs: 100, graceMs: 0, stepTimeoutMs: 2_000, hangUpAfterMs: 200 })
    const signal = new AbortController().signal
    await repair.check(signal) // knocks
    await new Promise((resolve) => setTimeout(resolve, 250))
    await repair.check(signal) // hangs up
    await waitFor('the connection to close', () => a.libp2p.getConnections(b.peerId).length === 0, 5_000)
    await a.dial(b.peerId)
    assert.ok(await heardWithin(0, 1, 10_000), 'host 1 hears host 0 on the new connection')
    assert.ok(await heardWithin(1, 0, 10_000), 'host 0 hears host 1 on the new connection')
  })
})

describe('p2p: gossip link repair decisions (fakes)', () => {
  const ids = ['12D3KooWGqKvya1VtM8FBrjnecYGyR8Gdy72zamByEK6AHqYjKmz', '12D3KooWPAUJBKXtWBvYDEF8qTZYmP11MrZTqL7z5qZkEzn6GGun', '12D3KooWSapC83Mfc98cJHMYYawU4nHQxna4Pd5BfADsvagrTtgC']
  const [known, missing, stranger] = ids.map((s) => peerIdFromString(s)) as [PeerId, PeerId, PeerId]
  const timing = { intervalMs: 1_000, graceMs: 5_000, stepTimeoutMs: 1_000, hangUpAfterMs: 3_000 }

  function connection (peer: PeerId, openMs: number, status: 'open' | 'closing' = 'open'): LinkConnection & { name: string } {
    return { remotePeer: peer, status, timeline: { open: openMs }, name: `${peer.toString().slice(-4)}@${openMs}` } as unknown as LinkConnection & { name: string }
  }

  const tag = (peer: PeerId): string => peer.toString().slice(-4)

  interface FakeWorld {
    readonly connections: Array<LinkConnection & { name: string }>
    /** gossipsub's peers; tests change it between checks */
    readonly gossipPeers?: PeerId[]
    readonly knockFails?: boolean
  }

  function setup (world: FakeWorld): { repair: GossipLinkRepair<LinkConnection & { name: string }>, actions: string[], clock: { now: number } } {
    const actions: string[] = []
    const clock = { now: 10_000 }
    const gossipPeers = world.gossipPeers ?? [known]
    const repair = new GossipLinkRepair({
      connections: () => world.connections,
      gossipPeers: () => gossipPeers,
      speaksGossip: async (peer) => !peer.equals(stranger),
      knock: async (c) => {
        actions.push(`knock ${c.name}`)
        if (world.knockFails === true) throw new Error('stream refused')
      },
      hangUp: async (peer) => { actions.push(`hangUp ${tag(peer)}`) },
      logger: silentLogger,
      nowMs: () => clock.now
    }, timing)
    return { repair, actions, clock }
  }

  const signal = new AbortController().signal

  it('knocks on the newest open connection of a missing peer, then hangs up if it is still missing after the hang-up wait', async () => {
    const { repair, actions, clock } = setup({
      connections: [connection(known, 0), connection(missing, 1_000), connection(missing, 3_000), connection(missing, 4_000, 'closing'), connection(stranger, 0)]
    })
    await repair.check(signal)
    assert.deepEqual(actions, [`knock ${tag(missing)}@3000`])
    clock.now += 2_999 // the knock gets the whole hang-up wait to work
    await repair.check(signal)
    assert.equal(actions.length, 1)
    clock.now += 1
    await repair.check(signal)
    assert.deepEqual(actions.slice(1), [`hangUp ${tag(missing)}`])
    clock.now += 1_000
    await repair.check(signal) // after a hang-up the next check starts over with a knock
    assert.equal(actions.at(-1), `knock ${tag(missing)}@3000`)
  })

  it('leaves alone a peer connected for less than the grace period, and forgets a knock once the peer is back', async () => {
    const gossipPeers = [known]
    const { repair, actions, clock } = setup({ connections: [connection(missing, 6_000)], gossipPeers })
    await repair.check(signal)
    assert.deepEqual(actions, [], 'connected 4 s ago, under the 5 s grace')
    clock.now = 11_000
    await repair.check(signal)
    assert.deepEqual(actions, [`knock ${tag(missing)}@6000`])
    gossipPeers.push(missing) // the knock worked
    clock.now = 12_000
    await repair.check(signal)
    gossipPeers.pop() // lost again later: a new knock, not a hang-up
    clock.now = 13_000
    await repair.check(signal)
    assert.deepEqual(actions, [`knock ${tag(missing)}@6000`, `knock ${tag(missing)}@6000`])
  })

  it('a failed knock is not fatal: a check after the hang-up wait hangs up', async () => {
    const { repair, actions, clock } = setup({ connections: [connection(missing, 0)], knockFails: true })
    await repair.check(signal)
    clock.now += 3_000
    await repair.check(signal)
    assert.deepEqual(actions, [`knock ${tag(missing)}@0`, `hangUp ${tag(missing)}`])
  })

  it('a check whose signal has aborted (the loop stopping) does nothing', async () => {
    const { repair, actions } = setup({ connections: [connection(missing, 0)] })
    await repair.check(AbortSignal.abort())
    assert.deepEqual(actions, [])
  })
})
