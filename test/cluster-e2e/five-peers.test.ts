// Five real daemon processes with the default target of three voters (two learners). Checks
// that a file put through one peer is read byte-identical through each of the four others,
// that its chunks sit on three distinct peers, and that a voter killed with SIGKILL is
// replaced: a learner is promoted and the dead voter removed, after which writes commit; and
// that the chunks a killed peer held are copied again until each has 3 copies on live peers.
import { strict as assert } from 'node:assert'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { TEST_DAEMON_ARGS, clusterView, getBytes, holdersOf, patternBytes, putBytes, waitUntil } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const KiB = 1024

describe('cluster: five peers', function () {
  this.timeout(180_000)
  let dir: string
  let cluster: LocalCluster

  before(async () => {
    dir = await makeTempDir('cluster-5')
    cluster = await startLocalCluster({ nodes: 5, dir, daemonArgs: [...TEST_DAEMON_ARGS, '--replace-dead-voter-after', '2s'] })
  })
  after(async () => {
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('three voters and two learners; a file put through one peer is identical through every other, chunks on 3 peers', async () => {
    const view = await clusterView(cluster.nodes[0]!.apiUrl)
    assert.equal(view.voters.length, 3)
    assert.equal(view.learners.length, 2)
    const bytes = patternBytes(900 * KiB, 11)
    const put = await putBytes(cluster.nodes[3]!.apiUrl, '/five/peers.bin', bytes)
    assert.equal(put.status, 201, JSON.stringify(put.body))
    for (const chunk of put.body.chunks) assert.equal((await holdersOf(cluster, chunk.cid)).length, 3, `holders of ${chunk.cid}`)
    for (const node of cluster.nodes) {
      if (node.index === 3) continue
      const got = await getBytes(node.apiUrl, '/five/peers.bin')
      assert.equal(got.status, 200)
      assert.ok(got.body.equals(bytes), `bytes through node ${node.index} differ`)
    }
  })

  it('replaces a dead voter with a healthy learner', async () => {
    const view = await clusterView(cluster.nodes[0]!.apiUrl)
    const victim = cluster.nodes.find((n) => view.voters.includes(n.peerId) && n.peerId !== view.leader)!
    const learners = new Set(view.learners)
    await cluster.kill(victim.index, 'SIGKILL')
    const observer = cluster.nodes.find((n) => n.index !== victim.index)!
    const after = await cluster.waitFor((v) => !v.voters.includes(victim.peerId) && v.voters.length === 3, 60_000)
    const promoted = after.voters.filter((v) => learners.has(v))
    assert.equal(promoted.length, 1, `voters after: ${after.voters.join(', ')}`)
    const put = await putBytes(observer.apiUrl, '/after-replacement.bin', patternBytes(10 * KiB, 12))
    assert.equal(put.status, 201, JSON.stringify(put.body))
  })

  it('copies again the chunks a dead peer held, until each has 3 copies on live peers', async () => {
    const running = cluster.nodes.filter((n) => cluster.isRunning(n.index))
    const writer = running[0]!
    const put = await putBytes(writer.apiUrl, '/repair.bin', patternBytes(700 * KiB, 13), 'replication=3&mode=sync')
    assert.equal(put.status, 201, JSON.stringify(put.body))
    const liveHolders = async (cid: string): Promise<number[]> => (await holdersOf(cluster, cid)).filter((i) => cluster.isRunning(i))
    const first = put.body.chunks[0]!.cid
    const victim = (await liveHolders(first)).find((i) => i !== writer.index)!
    await cluster.kill(victim, 'SIGKILL')
    for (const chunk of put.body.chunks) {
      assert.ok((await liveHolders(chunk.cid)).length <= 3)
    }
    assert.equal((await liveHolders(first)).length, 2, 'the killed peer held the first chunk')
    for (const chunk of put.body.chunks) {
      await waitUntil(`3 live copies of ${chunk.cid}`, async () => (await liveHolders(chunk.cid)).length >= 3, 60_000, 250)
    }
  })
})
