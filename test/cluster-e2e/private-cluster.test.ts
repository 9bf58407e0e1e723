// A private cluster: real daemons started with the same --cluster-key (made by `jadfs cluster
// key`). Checks that they form a cluster and move a file between them over the keyed
// connections; that a daemon with another key and one with no key, both told to --join, are
// never added (while a keyed daemon started after them is: the positive control) and refuse
// writes as unjoined peers; and that a daemon given a malformed key file exits with code 2
// naming the problem, having written nothing to its data dir.
import { strict as assert } from 'node:assert'
import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { TEST_DAEMON_ARGS, clusterView, getBytes, patternBytes, putBytes } from '../helpers/cluster-http.js'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('cluster: private, with a cluster key', function () {
  this.timeout(120_000)
  let dir: string
  let cluster: LocalCluster | undefined
  const outsiders: DaemonProcess[] = []

  before(async () => {
    dir = await makeTempDir('private-cluster')
    await runCliOk(['cluster', 'key', path.join(dir, 'cluster.key')])
    await runCliOk(['cluster', 'key', path.join(dir, 'other.key')])
    cluster = await startLocalCluster({ nodes: 2, dir: path.join(dir, 'c'), daemonArgs: [...TEST_DAEMON_ARGS, '--cluster-key', path.join(dir, 'cluster.key')] })
  })
  after(async () => {
    await Promise.all(outsiders.map(async (d) => { await d.stop() }))
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('peers holding the key form a cluster and serve each other\'s files', async () => {
    const c = cluster as LocalCluster
    await c.waitFor((v) => v.voters.length + v.learners.length === 2)
    const bytes = patternBytes(700 * 1024, 9)
    const put = await putBytes(c.nodes[0]!.apiUrl, '/private.bin', bytes, 'replication=2&mode=sync')
    assert.equal(put.status, 201, JSON.stringify(put.body))
    const got = await getBytes(c.nodes[1]!.apiUrl, '/private.bin')
    assert.equal(got.status, 200)
    assert.ok(got.body.equals(bytes))
  })

  it('never adds a peer with another key or none, while a keyed peer started after them joins', async () => {
    const c = cluster as LocalCluster
    const join = ['--join', ...c.nodes[0]!.addrs.filter((a) => a.includes('/p2p/'))]
    assert.ok(join.length > 1, `node 0 has no dialable address: ${c.nodes[0]!.addrs.join(' ')}`)
    for (const [name, keyArgs] of [['other-key', ['--cluster-key', path.join(dir, 'other.key')]], ['no-key', []]] as const) {
      outsiders.push(await startDaemon({ dataDir: path.join(dir, name), args: [...TEST_DAEMON_ARGS, ...join, ...keyArgs] }))
    }
    const keyed = await c.addNode()
    const view = await clusterView(c.nodes[0]!.apiUrl)
    const members = [...view.voters, ...view.learners]
    assert.ok(members.includes(keyed.peerId), 'the keyed peer was not added')
    assert.equal(members.length, 3, `members: ${members.join(' ')}`)
    for (const outsider of outsiders) {
      const own = await clusterView(outsider.apiUrl)
      assert.ok(!members.includes(own.peerId), `${outsider.dataDir} was added`)
      assert.equal(own.role, 'none')
      assert.deepEqual(own.voters, [])
      assert.ok(!own.peers.some((p) => members.includes(p.peerId)), `${outsider.dataDir} hears the cluster's heartbeats`)
      const res = await runCli(['put', '-', '/x.bin'], { apiUrl: outsider.apiUrl, stdin: patternBytes(1024, 1) })
      assert.equal(res.code, 1)
      assert.match(res.stderr, /has not been added to a cluster yet/)
    }
  })

  it('a daemon given a malformed key file exits with code 2 naming the problem', async () => {
    const bad = path.join(dir, 'bad.key')
    await writeFile(bad, 'not a key\n')
    const res = await runCli(['daemon', '--data-dir', path.join(dir, 'bad'), '--api-listen', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--cluster-key', bad])
    assert.equal(res.code, 2)
    assert.match(res.stderr, /cluster key .*bad\.key is not a key file: expected 3 lines.*\(INVALID_CONFIG\)/)
    assert.deepEqual(await readdir(path.join(dir, 'bad')).catch(() => []), [], 'the refused start wrote to its data dir')
  })
})
