// Checks the typed gossip layer between three real hosts on loopback. After the hosts see
// each other as subscribers (a bounded poll, then publishing until delivery or a deadline,
// since gossipsub delivers only once its mesh forms), a heartbeat from one host reaches the
// other two with every field intact and the signed sender as its peer id; chunk events
// arrive split into bounded batches; malformed, spoofed, oversized and unknown-kind messages
// are dropped by the topic validators, each for its own reason (read from the validators'
// debug log), and never reach a listener. Finally, with publishers and
// monitors running on every host, each host sees the two others alive, and a stopped host
// is reported suspect and then dead by the survivors.
import { strict as assert } from 'node:assert'
import type { CID } from 'multiformats/cid'
import { ChunkEvent, ChunkEventKind } from '../../src/p2p/gossip/chunk-event.js'
import { ClusterGossip } from '../../src/p2p/gossip/cluster-gossip.js'
import type { HeartbeatStats } from '../../src/p2p/gossip/cluster-gossip.js'
import { Heartbeat, RaftRole } from '../../src/p2p/gossip/heartbeat.js'
import { GOSSIP_TOPICS, MAX_CIDS_PER_CHUNK_EVENT, MAX_HEARTBEAT_BYTES } from '../../src/p2p/gossip/topics.js'
import type { ReceivedChunkEvent, ReceivedHeartbeat } from '../../src/p2p/gossip/validate.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { silentLogger } from '../../src/p2p/logger.js'
import { HeartbeatPublisher } from '../../src/p2p/gossip/heartbeat-publisher.js'
import { PeerMonitor } from '../../src/p2p/gossip/peer-monitor.js'
import type { PeerTransition } from '../../src/p2p/gossip/peer-table.js'
import { padProtobuf } from '../helpers/protobuf-padding.js'
import { chunkCid } from './helpers/cids.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

const STATS: HeartbeatStats = {
  freeBytes: 5 * 2 ** 40,
  usedBytes: 123_456_789,
  chunkCount: 42,
  raftRole: RaftRole.RAFT_ROLE_LEADER,
  raftTerm: 7,
  version: '0.1.0',
  apiAddress: 'http://127.0.0.1:5080'
}

describe('p2p: gossip', function () {
  this.timeout(30_000)
  let hosts: JadfsHost[] = []
  let gossips: ClusterGossip[] = []
  let heartbeats: ReceivedHeartbeat[][] = []
  let chunkEvents: ReceivedChunkEvent[][] = []
  /** each host's reasons for the messages its validators dropped */
  let dropped: string[][] = []

  beforeEach(async () => {
    hosts = await startCluster(3)
    dropped = hosts.map(() => [])
    gossips = hosts.map((h, i) => new ClusterGossip({
      pubsub: h.pubsub,
      peerId: h.peerId,
      logger: { ...silentLogger, debug: (fields) => { if (typeof fields.reason === 'string') dropped[i]!.push(fields.reason) } },
      nowMs: () => Date.now()
    }))
    heartbeats = hosts.map(() => [])
    chunkEvents = hosts.map(() => [])
    gossips.forEach((g, i) => {
      g.start()
      g.onHeartbeat((hb) => heartbeats[i]!.push(hb))
      g.onChunkEvent((ev) => chunkEvents[i]!.push(ev))
    })
    // Every host must know the others subscribe before anything is published.
    await waitFor('subscriptions to propagate', () => hosts.every((h) =>
      Object.values(GOSSIP_TOPICS).every((t) => h.pubsub.getSubscribers(t).length === hosts.length - 1)), 10_000)
  })

  afterEach(async () => {
    for (const g of gossips) g.stop()
    await stopAll(hosts)
    hosts = []
  })

  /** Publishes until hosts 1 and 2 both heard from host 0, or fails after 10 s. */
  async function publishUntilHeard (stats: HeartbeatStats): Promise<void> {
    await waitFor('a heartbeat from host 0 at hosts 1 and 2', async () => {
      await gossips[0]!.publishHeartbeat(stats)
      return heartbeats[1]!.length > 0 && heartbeats[2]!.length > 0
    }, 10_000, 200)
  }

  it('delivers a heartbeat from one host to the two others, intact', async () => {
    await publishUntilHeard(STATS)
    for (const i of [1, 2]) {
      const hb = heartbeats[i]![0]!
      assert.ok(hb.peerId.equals(hosts[0]!.peerId))
      const { peerId: _p, sequence, sentAtMs, startedAtMs, ...stats } = hb
      assert.deepEqual(stats, STATS)
      assert.ok(sequence >= 1)
      assert.ok(startedAtMs <= sentAtMs && sentAtMs <= Date.now())
    }
    assert.equal(heartbeats[0]!.length, 0, 'no echo to the sender (emitSelf is off)')
  })

  /** Waits until hosts 1 and 2 have each dropped a message for every one of these reasons. */
  async function droppedFor (reasons: ReadonlyArray<string | RegExp>): Promise<void> {
    const seen = (i: number, reason: string | RegExp): boolean => dropped[i]!.some((r) => typeof reason === 'string' ? r === reason : reason.test(r))
    await waitFor(`hosts 1 and 2 to drop messages for ${reasons.map(String).join('; ')}`, () => [1, 2].every((i) => reasons.every((reason) => seen(i, reason))), 10_000)
  }

  it('drops malformed, spoofed and oversized heartbeats, each for its reason, before any listener sees them', async () => {
    const [sender, , spoofed] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    await sender.pubsub.publish(GOSSIP_TOPICS.heartbeat, new Uint8Array([0xff, 0xff, 0xff]))
    const base = { ...STATS, peerId: sender.peerId.toMultihash().bytes, sequence: 1, sentAtMs: Date.now(), startedAtMs: Date.now() }
    await sender.pubsub.publish(GOSSIP_TOPICS.heartbeat, Heartbeat.encode({ ...base, peerId: spoofed.peerId.toMultihash().bytes }))
    await sender.pubsub.publish(GOSSIP_TOPICS.heartbeat, Heartbeat.encode({ ...base, sequence: 0 }))
    // Valid in every field and padded one byte past the limit, so only the size check can refuse it.
    await sender.pubsub.publish(GOSSIP_TOPICS.heartbeat, padProtobuf(Heartbeat.encode({ ...base, version: 'oversized' }), MAX_HEARTBEAT_BYTES + 1))
    // A valid heartbeat sent after the bad ones proves the bad ones had their chance to arrive.
    await publishUntilHeard({ ...STATS, version: 'valid' })
    for (const i of [1, 2]) {
      assert.ok(heartbeats[i]!.every((hb) => hb.version === 'valid'), `host ${i} got ${JSON.stringify(heartbeats[i]!.map((h) => h.version))}`)
    }
    await droppedFor([
      /^undecodable heartbeat: /,
      `heartbeat for ${spoofed.peerId.toString()} was sent by ${sender.peerId.toString()}`,
      'heartbeat sequence starts at 1',
      `heartbeat of ${MAX_HEARTBEAT_BYTES + 1} bytes is over ${MAX_HEARTBEAT_BYTES}`
    ])
  })

  it('delivers chunk events in bounded batches and drops invalid ones', async () => {
    const cids: CID[] = []
    for (let i = 0; i < MAX_CIDS_PER_CHUNK_EVENT + 3; i++) cids.push(await chunkCid(`c${i}`))
    await publishUntilHeard(STATS)
    const sender = hosts[0]!
    await sender.pubsub.publish(GOSSIP_TOPICS.chunkEvents, ChunkEvent.encode({ kind: ChunkEventKind.CHUNK_EVENT_KIND_UNKNOWN, cids: [cids[0]!.bytes as Uint8Array<ArrayBuffer>], sentAtMs: 1 }))
    await sender.pubsub.publish(GOSSIP_TOPICS.chunkEvents, ChunkEvent.encode({ kind: ChunkEventKind.CHUNK_EVENT_KIND_STORED, cids: [new Uint8Array([1, 2, 3])], sentAtMs: 1 }))
    await gossips[0]!.publishChunkEvent('stored', cids)
    await gossips[0]!.publishChunkEvent('deleted', cids.slice(0, 1))
    await waitFor('three valid chunk events at hosts 1 and 2', () => chunkEvents[1]!.length >= 3 && chunkEvents[2]!.length >= 3, 10_000)
    for (const i of [1, 2]) {
      const events = chunkEvents[i]!
      assert.deepEqual(events.map((e) => [e.kind, e.cids.length]), [['stored', MAX_CIDS_PER_CHUNK_EVENT], ['stored', 3], ['deleted', 1]])
      assert.deepEqual(events.flatMap((e) => e.kind === 'stored' ? e.cids.map(String) : []), cids.map(String))
      assert.ok(events.every((e) => e.from.equals(sender.peerId)))
    }
    await droppedFor(['chunk event kind is unknown', 'chunk event names an id that is not a raw sha2-256 CIDv1'])
  })

  it('detects a stopped peer: alive, then suspect, then dead at the survivors', async () => {
    const transitions: PeerTransition[][] = hosts.map(() => [])
    const monitors = gossips.map((g, i) => new PeerMonitor(g, {
      nowMs: () => Date.now(), suspectAfterMs: 400, deadAfterMs: 800, forgetAfterMs: 60_000,
      onTransition: (t) => transitions[i]!.push(t)
    }))
    const publishers = gossips.map((g) => new HeartbeatPublisher(g, () => STATS, silentLogger))
    try {
      monitors.forEach((m) => { m.start(50) })
      publishers.forEach((p) => { p.start(100) })
      await waitFor('every host to see the two others alive', () => monitors.every((m) => m.table.list('alive').length === 2), 10_000)

      const gone = hosts[2]!.peerId.toString()
      publishers[2]!.stop()
      await hosts[2]!.stop()
      await waitFor('the survivors to declare the stopped host dead', () => [0, 1].every((i) => monitors[i]!.table.get(gone)?.state === 'dead'), 10_000)
      for (const i of [0, 1]) {
        const mine = transitions[i]!.filter((t) => t.peerId === gone).map((t) => `${t.from}->${t.to}`)
        assert.deepEqual(mine, ['unknown->alive', 'alive->suspect', 'suspect->dead'])
        assert.equal(monitors[i]!.table.get(hosts[1 - i]!.peerId.toString())?.state, 'alive')
      }
    } finally {
      publishers.forEach((p) => { p.stop() })
      monitors.forEach((m) => { m.stop() })
    }
  })
})
