// Three real daemon processes on loopback, started by the local cluster harness. Checks what
// a user of the cluster relies on: /metrics agrees with the cluster view (term, one leader,
// voters, live peers), a file put through one peer is read byte-identical through
// every other, each chunk sits on three distinct peers (chunk files on disk), a peer answers a
// batched have query for its chunks, the scrub heals a copy damaged on disk from a peer,
// overwrites and deletes are seen on every peer (and once collected, no peer announces the
// deleted chunks in the DHT any more), a fourth
// peer that joined after the put and holds none of the chunks serves one of them by its id
// (GET /v1/chunks) and the whole file (what it fetched is a cached copy: its have answers
// no, scheduled garbage collection evicts it while the three copies stay, and the file is
// still served after), scheduled
// garbage collection removes a deleted file's chunk files from every peer (and each peer
// gossips a 'deleted' chunk event for them, heard by a gossip listener in the test), sync
// replication fails clearly with too few live peers (and keeps the debt when told to accept
// fewer), async replication reaches its copies, hand-made voter changes the leader must refuse
// are refused and other peers name the leader, and with two of three voters killed writes
// fail with NO_QUORUM while --stale reads still work.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { ClusterGossip, GOSSIP_TOPICS, createJadfsHost, requestHave, silentLogger, type ReceivedChunkEvent } from '../../src/p2p/index.js'
import path from 'node:path'
import type { ClusterView, MembershipView } from '../../src/api/cluster-view.js'
import { startLocalCluster, type LocalCluster, type LocalNode } from '../../src/harness/local-cluster.js'
import { chunkFilePath, listChunkFiles } from '../helpers/chunk-files.js'
import { TEST_DAEMON_ARGS, clusterView, getBytes, getJson, holdersOf, patternBytes, putBytes, waitUntil, type HttpResult } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const KiB = 1024

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** one gauge of a peer's /metrics */
async function metricOf (apiUrl: string, name: string): Promise<number> {
  const body = await (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text()
  const line = body.split('\n').find((l) => l.startsWith(`${name} `))
  assert.ok(line !== undefined, `no ${name} in /metrics`)
  return Number(line.slice(name.length + 1))
}

interface ChunkEventListener {
  readonly events: ReceivedChunkEvent[]
  /** the peers that sent an event of that kind naming cid */
  senders: (kind: 'stored' | 'deleted', cid: string) => Set<string>
  stop: () => Promise<void>
}

/** a libp2p host in this process that joins the nodes' gossip and records the chunk events it hears */
async function listenToChunkEvents (nodes: readonly LocalNode[]): Promise<ChunkEventListener> {
  const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: nodes.map((n) => n.addrs[0]!) })
  const gossip = new ClusterGossip({ pubsub: host.pubsub, peerId: host.peerId, logger: silentLogger, nowMs: Date.now })
  const events: ReceivedChunkEvent[] = []
  gossip.onChunkEvent((event) => { events.push(event) })
  gossip.start()
  const stop = async (): Promise<void> => {
    gossip.stop()
    await host.stop()
  }
  try {
    const joined = await host.joined
    assert.deepEqual(joined.failed, [])
    await waitUntil('the nodes to be seen subscribed to chunk events', async () => {
      const subscribed = new Set(host.pubsub.getSubscribers(GOSSIP_TOPICS.chunkEvents).map((p) => p.toString()))
      return nodes.every((n) => subscribed.has(n.peerId))
    }, 10_000, 50)
  } catch (err) {
    await stop()
    throw err
  }
  const senders = (kind: 'stored' | 'deleted', cid: string): Set<string> =>
    new Set(events.filter((e) => e.kind === kind && e.cids.some((c) => c.toString() === cid)).map((e) => e.from.toString()))
  return { events, senders, stop }
}

describe('cluster: three peers', function () {
  this.timeout(120_000)
  let dir: string
  let cluster: LocalCluster

  before(async () => {
    dir = await makeTempDir('cluster-3')
    cluster = await startLocalCluster({ nodes: 3, dir, daemonArgs: [...TEST_DAEMON_ARGS, '--gc-interval', '1s', '--gc-grace', '3s', '--scrub-interval', '1s'] })
  })
  after(async () => {
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('forms one cluster: three voters, one leader every peer agrees on', async () => {
    const views = await Promise.all(cluster.nodes.map(async (n) => await clusterView(n.apiUrl)))
    for (const v of views) {
      assert.equal(v.voters.length, 3)
      assert.deepEqual([...v.voters].sort(), cluster.nodes.map((n) => n.peerId).sort())
    }
    await waitUntil('every peer to know the same leader', async () => {
      const leaders = await Promise.all(cluster.nodes.map(async (n) => (await clusterView(n.apiUrl)).leader))
      return leaders[0] !== null && leaders.every((l) => l === leaders[0])
    })
  })

  it('/metrics of each peer says who leads, the voters and the live peers, as its cluster view does', async () => {
    let leaders = 0
    for (const node of cluster.nodes) {
      const view = await clusterView(node.apiUrl)
      const metric = async (name: string): Promise<number> => await metricOf(node.apiUrl, name)
      assert.equal(await metric('jadfs_raft_term'), view.term)
      assert.equal(await metric('jadfs_raft_has_leader'), 1)
      leaders += await metric('jadfs_raft_is_leader')
      assert.equal(await metric('jadfs_cluster_voters'), 3)
      assert.equal(await metric('jadfs_cluster_target_voters'), 3)
      assert.equal(await metric('jadfs_cluster_peers{state="alive"}'), view.peers.filter((p) => p.state === 'alive').length)
      assert.equal(await metric('jadfs_cluster_peers{state="dead"}'), 0)
      assert.ok(await metric('jadfs_dht_provider_records') >= 0)
      assert.equal(await metric('jadfs_dht_provider_records_refused'), 0)
    }
    assert.equal(leaders, 1, 'exactly one peer reports itself leader')
  })

  it('a file put through one peer is read byte-identical through every other, each chunk on 3 distinct peers', async () => {
    const bytes = patternBytes(1300 * KiB, 1)
    const put = await putBytes(cluster.nodes[1]!.apiUrl, '/docs/report.bin', bytes, 'replication=3&mode=sync')
    assert.equal(put.status, 201, JSON.stringify(put.body))
    assert.equal(put.body.chunks.length, 6)
    for (const node of cluster.nodes) {
      const got = await getBytes(node.apiUrl, '/docs/report.bin')
      assert.equal(got.status, 200)
      assert.ok(got.body.equals(bytes), `bytes through node ${node.index} differ`)
    }
    for (const chunk of put.body.chunks) {
      assert.deepEqual(await holdersOf(cluster, chunk.cid), [0, 1, 2], `holders of ${chunk.cid}`)
    }
  })

  it('a peer answers a batched have query for the chunks it holds', async () => {
    const bytes = patternBytes(600 * KiB, 8)
    const put = await putBytes(cluster.nodes[0]!.apiUrl, '/have.bin', bytes, 'replication=1')
    assert.equal(put.status, 201)
    const missing = CID.parse(chunkCidFromSha256(createHash('sha256').update('never stored').digest()))
    const asked = [...put.body.chunks.map((c) => CID.parse(c.cid)), missing]
    const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    try {
      const answers = await requestHave(host, multiaddr(cluster.nodes[0]!.addrs[0]!), asked)
      assert.deepEqual(answers, [...put.body.chunks.map(() => true), false])
    } finally {
      await host.stop()
    }
  })

  it('the scrub finds a copy damaged on disk and heals it from a peer', async () => {
    const bytes = patternBytes(300 * KiB, 9)
    const put = await putBytes(cluster.nodes[0]!.apiUrl, '/scrubbed.bin', bytes, 'replication=3&mode=sync')
    assert.equal(put.status, 201)
    const cid = put.body.chunks[0]!.cid
    const file = await chunkFilePath(cluster.nodes[2]!.dataDir, cid)
    const handle = await open(file, 'r+')
    await handle.write(Buffer.from([0x55 ^ (await handle.read(Buffer.alloc(1), 0, 1, 100)).buffer[0]!]), 0, 1, 100)
    await handle.close()
    const digest = async (): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex')
    const good = createHash('sha256').update(bytes.subarray(0, 256 * KiB)).digest('hex')
    assert.notEqual(await digest(), good, 'the byte was not flipped')
    await waitUntil('the damaged copy to be replaced by a good one', async () => await digest().catch(() => '') === good, 30_000, 250)
    const status = await getJson<{ badChunks: number }>(`${cluster.nodes[2]!.apiUrl}/v1/status`)
    assert.equal(status.body.badChunks, 0)
  })

  it('overwrite and delete are seen on every peer', async () => {
    // a gossip listener in this process hears the chunk events the peers send from here on
    const listener = await listenToChunkEvents(cluster.nodes)
    try {
      await overwriteAndDelete(listener)
    } finally {
      await listener.stop()
    }
  })

  async function overwriteAndDelete (listener: ChunkEventListener): Promise<void> {
    const first = patternBytes(100 * KiB, 2)
    const second = patternBytes(90 * KiB, 3)
    const put = await putBytes(cluster.nodes[0]!.apiUrl, '/o.bin', first)
    assert.equal(put.status, 201)
    const over = await putBytes(cluster.nodes[2]!.apiUrl, '/o.bin', second)
    assert.equal(over.status, 201)
    assert.equal(over.body.version, 2)
    for (const node of cluster.nodes) {
      const got = await getBytes(node.apiUrl, '/o.bin')
      assert.ok(got.body.equals(second), `node ${node.index} serves the old version`)
    }
    // the check below must be able to fail: the chunks are on disk before the delete
    const holders = new Map<string, string[]>()
    for (const chunk of over.body.chunks) {
      const at = await holdersOf(cluster, chunk.cid)
      assert.ok(at.length > 0)
      holders.set(chunk.cid, at.map((i) => cluster.nodes[i]!.peerId))
    }
    const released = over.body.chunks.map((c) => c.cid)
    // the control for the 'deleted' events below: the listener hears each holder's 'stored'
    // event for the chunks (so a missing 'deleted' event is not a deaf listener), and no
    // 'deleted' event names them while the file still uses them
    await waitUntil('a \'stored\' chunk event from every holder of the file\'s chunks', async () =>
      released.every((cid) => holders.get(cid)!.every((peerId) => listener.senders('stored', cid).has(peerId))), 10_000, 100)
    for (const cid of released) assert.deepEqual([...listener.senders('deleted', cid)], [], `a 'deleted' event named ${cid} while the file used it`)

    const del = await fetch(`${cluster.nodes[1]!.apiUrl}/v1/files/o.bin`, { method: 'DELETE' })
    assert.equal(del.status, 200)
    for (const node of cluster.nodes) {
      const got = await getJson<{ error: { code: string } }>(`${node.apiUrl}/v1/files/o.bin?meta`)
      assert.equal(got.status, 404, `node ${node.index} still lists the deleted file`)
      assert.equal(got.body.error.code, 'FILE_NOT_FOUND')
      const listing = await getJson<{ files: Array<{ path: string }> }>(`${node.apiUrl}/v1/files?prefix=/`)
      assert.ok(!listing.body.files.some((f) => f.path === '/o.bin'))
    }
    // scheduled garbage collection on every peer removes the released chunk files
    await waitUntil('the deleted file\'s chunk files to be collected on every peer', async () => {
      for (const cid of released) if ((await holdersOf(cluster, cid)).length > 0) return false
      return true
    }, 20_000, 250)

    // each peer that held a released chunk gossips a 'deleted' event naming it once its
    // collection removed it (batched once a second), and the listener hears it from that peer;
    // no 'deleted' event names a chunk other than those of the file's two versions
    await waitUntil('a \'deleted\' chunk event from every peer that held a released chunk', async () =>
      released.every((cid) => holders.get(cid)!.every((peerId) => listener.senders('deleted', cid).has(peerId))), 10_000, 100)
    const ofTheFile = new Set([...put.body.chunks, ...over.body.chunks].map((c) => c.cid))
    for (const event of listener.events.filter((e) => e.kind === 'deleted')) {
      for (const cid of event.cids) assert.ok(ofTheFile.has(cid.toString()), `${event.from.toString()} gossiped the deletion of ${cid.toString()}, not a chunk of /o.bin`)
    }

    // and no peer goes on announcing the collected chunks in the DHT: each announces exactly
    // the chunks it holds (its own provider records were withdrawn with the chunks)
    await waitUntil('every peer to announce exactly the chunks it holds', async () => {
      for (const node of cluster.nodes) {
        const status = (await getJson<{ chunks: number, badChunks: number }>(`${node.apiUrl}/v1/status`)).body
        if (await metricOf(node.apiUrl, 'jadfs_dht_own_provider_records') !== status.chunks - status.badChunks) return false
      }
      return true
    }, 20_000, 250)
  }

  it('a peer that joined after the put, holding none of the chunks, serves the file', async () => {
    const bytes = patternBytes(1100 * KiB, 4)
    const put = await putBytes(cluster.nodes[0]!.apiUrl, '/late.bin', bytes)
    assert.equal(put.status, 201)
    const fourth = await cluster.addNode()
    await cluster.waitFor((v) => v.learners.includes(fourth.peerId) || v.voters.includes(fourth.peerId))
    const before = (await listChunkFiles(fourth.dataDir)).map((f) => path.basename(f))
    for (const chunk of put.body.chunks) assert.ok(!before.includes(chunk.cid), 'the new peer already holds a chunk of the file')
    // a chunk by its id, before the file: fetched from a holder, verified, then served
    const last = put.body.chunks[put.body.chunks.length - 1]!
    const chunkRes = await fetch(`${fourth.apiUrl}/v1/chunks/${last.cid}`, { signal: AbortSignal.timeout(60_000) })
    assert.equal(chunkRes.status, 200)
    const chunkBytes = Buffer.from(await chunkRes.arrayBuffer())
    assert.equal(chunkCidFromSha256(createHash('sha256').update(chunkBytes).digest()), last.cid)
    assert.ok(chunkBytes.equals(bytes.subarray(bytes.length - chunkBytes.length)), 'the chunk through the new peer differs from the file\'s last bytes')
    // an id no file references is not looked for across the cluster
    const unknown = chunkCidFromSha256(createHash('sha256').update('no file has this chunk').digest())
    const missing = await getJson<{ error: { code: string, message: string } }>(`${fourth.apiUrl}/v1/chunks/${unknown}`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.error.code, 'CHUNK_NOT_FOUND')
    assert.match(missing.body.error.message, /is not part of any file in this cluster/)
    const got = await getBytes(fourth.apiUrl, '/late.bin')
    assert.equal(got.status, 200)
    assert.ok(got.body.equals(bytes), 'bytes through the new peer differ')

    // what the read fetched is a cache: on disk for now, but not one of the chunk's copies
    const cids = put.body.chunks.map((c) => c.cid)
    const cachedNow = async (): Promise<string[]> => (await listChunkFiles(fourth.dataDir)).map((f) => path.basename(f)).filter((cid) => cids.includes(cid))
    assert.ok((await cachedNow()).length > 0, 'the read left no cached copy on the new peer')
    const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    try {
      const answers = await requestHave(host, multiaddr(fourth.addrs[0]!), cids.map((cid) => CID.parse(cid)))
      assert.deepEqual(answers, cids.map(() => false), 'a cached copy was reported as a copy')
    } finally {
      await host.stop()
    }
    // unread for the grace period (3 s here), the cached copies are evicted; the copies stay
    await waitUntil('the cached copies evicted from the new peer', async () => (await cachedNow()).length === 0, 20_000, 200)
    for (const cid of new Set(cids)) {
      assert.equal((await holdersOf(cluster, cid)).filter((n) => n !== fourth.index).length, 3, `chunk ${cid} lost a copy`)
    }
    const again = await getBytes(fourth.apiUrl, '/late.bin')
    assert.equal(again.status, 200)
    assert.ok(again.body.equals(bytes), 'bytes through the new peer differ after its cache was evicted')
  })

  it('sync replication with more copies than live peers fails clearly, or keeps the debt when told to accept fewer', async () => {
    const bytes = patternBytes(70 * KiB, 5)
    const refused = await putBytes(cluster.nodes[0]!.apiUrl, '/five.bin', bytes, 'replication=5&mode=sync')
    assert.equal(refused.status, 503)
    assert.equal(refused.body.error.code, 'REPLICATION_UNAVAILABLE')
    assert.match(refused.body.error.message, /replication 5 \(sync\) needs 5 live peers, 4 are live/)
    const missing = await getJson(`${cluster.nodes[0]!.apiUrl}/v1/files/five.bin?meta`)
    assert.equal(missing.status, 404, 'a refused put must not create the file')

    const accepted = await putBytes(cluster.nodes[0]!.apiUrl, '/five.bin', bytes, 'replication=5&mode=sync&allowFewer=1')
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body))
    assert.equal((await holdersOf(cluster, accepted.body.chunks[0]!.cid)).length, 4)
    const view = await clusterView(cluster.nodes[0]!.apiUrl)
    assert.equal(view.replication.queuedChunks, 1)
    assert.equal(view.replication.missingCopies, 1)
  })

  it('async replication acknowledges after the first copy and reaches its copies from the queue', async () => {
    const bytes = patternBytes(600 * KiB, 6)
    const put = await putBytes(cluster.nodes[2]!.apiUrl, '/async.bin', bytes, 'replication=3&mode=async')
    assert.equal(put.status, 201)
    for (const chunk of put.body.chunks) {
      await waitUntil(`3 copies of ${chunk.cid}`, async () => (await holdersOf(cluster, chunk.cid)).length >= 3)
    }
  })

  describe('hand-made voter changes', () => {
    // Checks the voter routes of the real daemons (the CLI tests use a fake API, the route
    // tests a fake control): the leader answers 400 INVALID_ARGUMENT, saying why, to promoting
    // a well-formed peer id that is not a member (start it with --join), to removing one that
    // is not a member, to removing itself, and to a malformed peer id on either route; every
    // other peer, follower or learner, answers NOT_LEADER (503) naming the leader's peer id and
    // API URL. Membership is the same afterwards. Runs after the fourth peer joined: three
    // voters and a learner. Requests to followers name a non-member, so that a follower which
    // wrongly acted on them would fail the test without changing the cluster.
    let leader: LocalNode
    let membersBefore: ClusterView
    let stranger: string

    type VoterAnswer = HttpResult<MembershipView & { error: { code: string, message: string, details?: Record<string, unknown> } }>
    const addVoter = async (node: LocalNode, peerId: string): Promise<VoterAnswer> =>
      await getJson(`${node.apiUrl}/v1/cluster/voters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ peerId }) })
    const removeVoter = async (node: LocalNode, peerId: string): Promise<VoterAnswer> =>
      await getJson(`${node.apiUrl}/v1/cluster/voters/${encodeURIComponent(peerId)}`, { method: 'DELETE' })
    const refused = (res: VoterAnswer, code: string, status: number, message: RegExp): void => {
      assert.equal(res.status, status, JSON.stringify(res.body))
      assert.equal(res.body.error.code, code)
      assert.match(res.body.error.message, message)
    }

    before(async () => {
      stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      await waitUntil('every peer to know the same leader', async () => {
        const leaders = await Promise.all(cluster.nodes.map(async (n) => (await clusterView(n.apiUrl)).leader))
        return leaders[0] !== null && leaders.every((l) => l === leaders[0])
      })
      membersBefore = await clusterView(cluster.nodes[0]!.apiUrl)
      leader = cluster.nodes.find((n) => n.peerId === membersBefore.leader)!
      assert.equal(membersBefore.voters.length, 3)
      assert.equal(membersBefore.learners.length, 1)
      assert.ok(!membersBefore.voters.includes(stranger) && !membersBefore.learners.includes(stranger))
    })

    it('the leader refuses to promote a well-formed peer id that is not a member, saying to start it with --join', async () => {
      refused(await addVoter(leader, stranger), 'INVALID_ARGUMENT', 400,
        new RegExp(`^${stranger} is not a member of this cluster; start it with --join and it is added as a learner first$`))
    })

    it('the leader refuses to remove a peer id that is not a member', async () => {
      refused(await removeVoter(leader, stranger), 'INVALID_ARGUMENT', 400, new RegExp(`^${stranger} is not a member of this cluster$`))
    })

    it('the leader refuses to remove itself, saying it is the leader', async () => {
      refused(await removeVoter(leader, leader.peerId), 'INVALID_ARGUMENT', 400, new RegExp(`^${leader.peerId} is the leader itself; stop it`))
      assert.equal((await clusterView(leader.apiUrl)).leader, leader.peerId)
    })

    it('the leader refuses a malformed peer id on both routes', async () => {
      for (const bad of ['not-a-peer-id', `${stranger}x`, '12D3KooW']) {
        refused(await addVoter(leader, bad), 'INVALID_ARGUMENT', 400, /is not a peer id \(they look like 12D3KooW\.\.\.\)$/)
        refused(await removeVoter(leader, bad), 'INVALID_ARGUMENT', 400, /is not a peer id \(they look like 12D3KooW\.\.\.\)$/)
      }
    })

    it('every other peer answers NOT_LEADER (503) naming the leader\'s peer id and API URL', async () => {
      const others = cluster.nodes.filter((n) => n.peerId !== leader.peerId)
      assert.equal(others.length, 3)
      for (const node of others) {
        for (const res of [await addVoter(node, stranger), await removeVoter(node, stranger)]) {
          refused(res, 'NOT_LEADER', 503, new RegExp(`^this peer is not the leader; ask the leader ${leader.peerId} at ${escapeRegExp(leader.apiUrl)}$`))
          assert.deepEqual(res.body.error.details, { leaderPeerId: leader.peerId, leaderApiUrl: leader.apiUrl }, `node ${node.index}`)
        }
      }
    })

    it('the refusals changed nothing: same voters, learners and leader', async () => {
      const now = await clusterView(leader.apiUrl)
      assert.equal(now.leader, leader.peerId)
      assert.deepEqual([...now.voters].sort(), [...membersBefore.voters].sort())
      assert.deepEqual([...now.learners].sort(), [...membersBefore.learners].sort())
    })
  })

  // mocha runs a suite's own tests before its inner suites: this one is last, and in a suite of
  // its own after the one above, because it kills two of the three voters
  describe('quorum loss', () => {
    it('without a voter majority writes fail with NO_QUORUM after a bounded wait; --stale reads still work', async () => {
      const bytes = patternBytes(50 * KiB, 7)
      assert.equal((await putBytes(cluster.nodes[0]!.apiUrl, '/before.bin', bytes, 'replication=1')).status, 201)
      const view = await clusterView(cluster.nodes[0]!.apiUrl)
      const voterIndexes = cluster.nodes.filter((n) => view.voters.includes(n.peerId)).map((n) => n.index)
      const [survivor, ...doomed] = voterIndexes
      for (const i of doomed.slice(0, 2)) await cluster.kill(i!, 'SIGKILL')
      const started = Date.now()
      const write = await putBytes(cluster.nodes[survivor!]!.apiUrl, '/after.bin', bytes, 'replication=1')
      const waitedMs = Date.now() - started
      // NO_QUORUM when no leader is known; TIMEOUT (outcome unknown) when the isolated leader
      // had already appended the write before stepping down
      assert.ok(write.status === 503 || write.status === 504, JSON.stringify(write.body))
      assert.match(write.body.error.code, /^(NO_QUORUM|TIMEOUT)$/)
      assert.ok(waitedMs < 25_000, `the write waited ${waitedMs} ms`)
      const stale = await getBytes(cluster.nodes[survivor!]!.apiUrl, '/before.bin', 'stale=1')
      assert.equal(stale.status, 200)
      assert.ok(stale.body.equals(bytes))
    })
  })
})
