// Checks the local cluster harness's process handling with a stand-in daemon (the daemon's
// outward contract without libp2p or Raft, test/fixtures/stand-in-daemon.ts): the flags each
// node gets, detached process groups and log files, cluster.json, the wait for daemon.json
// (matching the child's pid) and for the cluster to form, each way a start can fail (a node
// exits, never writes daemon.json, never joins) with the node named and its log shown and the
// other nodes stopped, kill/restart/addNode/waitFor, SIGKILL after the stop timeout, and the
// refusal to start over a running cluster. The real daemons are tested elsewhere.
import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isJadfsError } from '../../src/errors.js'
import { readClusterFile } from '../../src/harness/cluster-file.js'
import { MAX_NODES, startLocalCluster, type LocalCluster, type LocalClusterInit } from '../../src/harness/local-cluster.js'
import { isDaemonProcess } from '../../src/harness/process-control.js'
import { processGroup, STAND_IN_DAEMON } from '../helpers/stand-in.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('harness: local cluster (stand-in daemons)', function () {
  this.timeout(30_000)
  let root: string
  let count = 0
  const running: LocalCluster[] = []
  const start = async (init: Partial<LocalClusterInit> & { nodes: number }): Promise<LocalCluster> => {
    const cluster = await startLocalCluster({ dir: path.join(root, `c${count++}`), daemonBin: STAND_IN_DAEMON, startTimeoutMs: 20_000, ...init })
    running.push(cluster)
    return cluster
  }
  const startFails = async (init: Partial<LocalClusterInit> & { nodes: number }, check: (err: Error & { code?: string }) => void): Promise<string> => {
    const dir = path.join(root, `c${count++}`)
    await assert.rejects(startLocalCluster({ dir, daemonBin: STAND_IN_DAEMON, startTimeoutMs: 20_000, ...init }), (err: Error & { code?: string }) => {
      check(err)
      return true
    })
    return dir
  }
  /** every pid cluster.json lists in dir has exited */
  const allGone = async (dir: string): Promise<void> => {
    const recorded = await readClusterFile(dir)
    assert.ok(recorded !== undefined && recorded.nodes.length > 0, 'cluster.json lists the nodes started')
    for (const node of recorded.nodes) assert.equal(await isDaemonProcess(node.pid, node.dataDir), false, `node ${node.index} (pid ${node.pid}) still runs`)
  }

  before(async () => { root = await makeTempDir('harness') })
  after(async () => {
    await Promise.all(running.map(async (c) => { await c.stop() }))
    await removeTempDir(root)
  })

  it('starts node 0, then the others joining it, each detached with its flags and log', async () => {
    const cluster = await start({ nodes: 4, voters: 3, daemonArgs: ['--replication', '2'] })
    assert.deepEqual(cluster.nodes.map((n) => n.index), [0, 1, 2, 3])
    const first = cluster.nodes[0]
    assert.ok(first !== undefined)
    for (const node of cluster.nodes) {
      assert.equal(node.dataDir, path.join(cluster.dir, `node${node.index}`))
      assert.equal(node.logFile, path.join(node.dataDir, 'daemon.log'))
      assert.match(node.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.match(node.peerId, /^12D3KooW/)
      assert.deepEqual(node.addrs.map((a) => a.endsWith(`/p2p/${node.peerId}`)), [true])
      assert.equal(processGroup(node.pid), node.pid, 'each daemon leads its own process group')
      const log = await readFile(node.logFile, 'utf8')
      const join = node.index === 0 ? '' : ` --join ${first.addrs[0] ?? ''}`
      assert.ok(log.includes(`stand-in daemon started: daemon --data-dir ${node.dataDir} --api-listen 127.0.0.1:0 --listen /ip4/127.0.0.1/tcp/0 --voters 3 --log-level info${join} --replication 2"`), log)
      const health = await fetch(`${node.apiUrl}/v1/health`)
      assert.equal(health.status, 200)
    }
    const view = await cluster.waitFor((v) => v.leader !== null, 1000)
    assert.deepEqual(view.voters.length, 3)
    assert.deepEqual([...view.voters, ...view.learners].sort(), cluster.nodes.map((n) => n.peerId).sort())
    assert.deepEqual(await readClusterFile(cluster.dir), {
      nodes: cluster.nodes.map(({ index, dataDir, apiUrl, peerId, pid, addrs }) => ({ index, dataDir, apiUrl, peerId, pid, addrs }))
    })

    await cluster.stop()
    await allGone(cluster.dir)
    for (const node of cluster.nodes) assert.equal(existsSync(path.join(node.dataDir, 'daemon.json')), false, 'a clean stop removes daemon.json')
    assert.equal(cluster.isRunning(0), false)
  })

  it('expects min(voters, nodes) voters, e.g. a lone node as the only voter', async () => {
    const cluster = await start({ nodes: 1 })
    const view = await cluster.waitFor(() => true, 1000)
    assert.deepEqual(view.voters, [cluster.nodes[0]?.peerId])
    await cluster.stop()
  })

  it('fails when a node exits while starting, naming it with its exit code and log, and stops the others', async () => {
    const dir = await startFails({ nodes: 3, env: { STAND_IN_EXIT: '2:3' } }, (err) => {
      assert.equal(err.code, 'CLUSTER_START_FAILED')
      assert.match(err.message, /^node 2 exited with code 3 while starting; its log .*\/node2\/daemon\.log ends with:\n/)
      assert.match(err.message, /stand-in: exiting on purpose before serving/)
    })
    await allGone(dir)
  })

  it('fails when node 0 does not write daemon.json in time', async () => {
    const startedAtMs = Date.now()
    const dir = await startFails({ nodes: 2, startTimeoutMs: 2000, env: { STAND_IN_SILENT: '0' } }, (err) => {
      assert.equal(err.code, 'CLUSTER_START_FAILED')
      // The log holds at least the harness's header line for this start.
      assert.match(err.message, /^node 0 did not write .*\/node0\/daemon\.json within 2 s; its log .*\/node0\/daemon\.log ends with:\n[^]*--- \S+ starting: node \S+stand-in-daemon\.js daemon --data-dir \S+\/node0 /)
    })
    assert.ok(Date.now() - startedAtMs < 6000)
    await allGone(dir)
  })

  it('fails when a node does not join in time, naming it and showing its log', async () => {
    const dir = await startFails({ nodes: 3, startTimeoutMs: 4000, env: { STAND_IN_LONER: '1' } }, (err) => {
      assert.equal(err.code, 'CLUSTER_START_FAILED')
      assert.match(err.message, /^the cluster did not form within 4 s \(node 1\): node 0 reports 1 node\(s\) not members yet; 2 voter\(s\), expected 3 \(leader 12D3KooW/)
      assert.match(err.message, /\n--- .*\/node1\/daemon\.log \(node 1, last lines\):\n/)
    })
    await allGone(dir)
  })

  it('kill, restart (waiting for the new pid\'s daemon.json, not the one left by the killed run), addNode', async () => {
    const cluster = await start({ nodes: 3 })
    const before = cluster.nodes[1]
    assert.ok(before !== undefined)
    assert.deepEqual(await cluster.kill(1), { code: null, signal: 'SIGKILL' })
    assert.equal(cluster.isRunning(1), false)
    assert.equal(existsSync(path.join(before.dataDir, 'daemon.json')), true, 'a killed daemon leaves its daemon.json')

    const after = await cluster.restart(1)
    assert.notEqual(after.pid, before.pid)
    assert.equal(after.apiUrl, before.apiUrl, 'same port: the API URL a test holds stays valid')
    assert.deepEqual(after.addrs, before.addrs)
    assert.match(await readFile(after.logFile, 'utf8'), new RegExp(`starting: .* --api-listen 127\\.0\\.0\\.1:${new URL(before.apiUrl).port} --listen /ip4/127\\.0\\.0\\.1/tcp/\\d+ `))
    assert.equal(after.peerId, before.peerId, 'same data dir, same identity')
    assert.equal(cluster.nodes[1]?.pid, after.pid)
    assert.equal((await fetch(`${after.apiUrl}/v1/health`)).status, 200)
    assert.equal((await readClusterFile(cluster.dir))?.nodes[1]?.pid, after.pid)
    assert.match(await readFile(after.logFile, 'utf8'), /starting: .*\n(.*\n)*--- .* starting: /, 'one log across restarts, a header per start')

    const added = await cluster.addNode()
    assert.equal(added.index, 3)
    const joined = cluster.nodes.slice(0, 3).map((n) => n.addrs[0] ?? '').join(' ')
    assert.ok((await readFile(added.logFile, 'utf8')).includes(`--join ${joined}"`), 'joins through every running node')
    const view = await cluster.waitFor((v) => v.learners.includes(added.peerId), 1000)
    assert.equal(view.voters.length, 3)
    assert.equal((await readClusterFile(cluster.dir))?.nodes.length, 4)
    await cluster.stop()
  })

  it('waitFor gives up after its timeout with the last answers', async () => {
    const cluster = await start({ nodes: 1 })
    const startedAtMs = Date.now()
    await assert.rejects(cluster.waitFor(() => false, 300), (err: Error) => isJadfsError(err, 'TIMEOUT') &&
      /did not reach the expected state within 300 ms; last answers: node 0: leader 12D3KooW\w+, term 1, voters \[12D3KooW\w+\], learners \[\]$/.test(err.message))
    assert.ok(Date.now() - startedAtMs < 2000)
    await cluster.stop()
  })

  it('SIGKILLs a daemon still running after the stop timeout; a paused one is resumed to stop', async () => {
    const cluster = await start({ nodes: 2, stopTimeoutMs: 300, env: { STAND_IN_STUBBORN: '0' } })
    assert.deepEqual(await cluster.kill(0, 'SIGTERM'), { code: null, signal: 'SIGKILL' })
    assert.match(await readFile(cluster.nodes[0]?.logFile ?? '', 'utf8'), /ignoring SIGTERM on purpose/)
    assert.equal(await cluster.kill(1, 'SIGSTOP'), undefined)
    assert.equal(cluster.isRunning(1), true)
    await cluster.stop()
    assert.deepEqual(await cluster.kill(1), { code: 0, signal: null }, 'stopped cleanly, not killed')
  })

  it('refuses a directory whose cluster.json lists a running daemon, and reuses it once stopped', async () => {
    const cluster = await start({ nodes: 2 })
    await assert.rejects(startLocalCluster({ nodes: 2, dir: cluster.dir, daemonBin: STAND_IN_DAEMON }), (err: Error) =>
      isJadfsError(err, 'CLUSTER_START_FAILED') && err.message === `${cluster.dir} already runs a cluster: node 0 (pid ${cluster.nodes[0]?.pid ?? 0}) is alive; stop it first with \`jadfs cluster down --dir ${cluster.dir}\``)
    assert.equal(cluster.isRunning(0), true)
    await cluster.stop()
    const again = await startLocalCluster({ nodes: 2, dir: cluster.dir, daemonBin: STAND_IN_DAEMON })
    running.push(again)
    assert.deepEqual(again.nodes.map((n) => n.peerId), cluster.nodes.map((n) => n.peerId))
    await again.stop()
  })

  it('ignores a recorded pid that is alive but not the daemon of that data dir (reused pid)', async () => {
    const dir = path.join(root, `c${count++}`)
    await mkdir(dir, { recursive: true })
    await writeFile(path.join(dir, 'cluster.json'), JSON.stringify({ nodes: [{ index: 0, dataDir: path.join(dir, 'node0'), apiUrl: null, peerId: null, pid: process.pid, addrs: [] }] }))
    const cluster = await startLocalCluster({ nodes: 1, dir, daemonBin: STAND_IN_DAEMON })
    running.push(cluster)
    await cluster.stop()
  })

  it('validates nodes (1..64) and voters (odd) before starting anything', async () => {
    for (const [nodes, voters] of [[0, 3], [MAX_NODES + 1, 3], [1.5, 3], [3, 2], [3, 0]] as const) {
      const dir = await startFails({ nodes, voters }, (err) => { assert.equal(err.code, 'INVALID_ARGUMENT', `${nodes} nodes, ${voters} voters`) })
      assert.equal(existsSync(path.join(dir, 'cluster.json')), false)
    }
    // 64 passes validation: the start fails only later, at its first daemon (a script that does not exist).
    await startFails({ nodes: MAX_NODES, daemonBin: path.join(root, 'no-such-daemon.js') }, (err) => {
      assert.equal(err.code, 'CLUSTER_START_FAILED')
      assert.match(err.message, /^node 0 exited with code 1 while starting/)
    })
  })
})
