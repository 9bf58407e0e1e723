// Checks `jadfs cluster up|status|down` with the stand-in daemon (--daemon-bin): up returns while
// the daemons keep running (its JSON is cluster.json; flags after -- reach every daemon), status
// reports process, API and role per node and the leader, down stops each and says how, a second
// up over a running cluster is refused, a failed start is one error naming the node with its log
// tail and leaves nothing running, Ctrl-C during up stops what it started (exit 130), and flag
// values are checked at their limits.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { readClusterFile, type ClusterFile } from '../../src/harness/cluster-file.js'
import { isDaemonProcess, isProcessAlive } from '../../src/harness/process-control.js'
import { jadfsBin } from '../helpers/repo-root.js'
import { runCli } from '../helpers/run-cli.js'
import { runMain } from '../helpers/run-main.js'
import { STAND_IN_DAEMON } from '../helpers/stand-in.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('CLI: cluster up/status/down (stand-in daemons)', function () {
  this.timeout(30_000)
  let root: string
  const dirs: string[] = []
  const newDir = (): string => {
    const dir = path.join(root, `c${dirs.length}`)
    dirs.push(dir)
    return dir
  }
  const pids = async (dir: string): Promise<number[]> => ((await readClusterFile(dir))?.nodes ?? []).map((n) => n.pid)
  /** every daemon cluster.json lists has exited (a zombie, exited but not yet reaped by init, counts) */
  const allGone = async (dir: string): Promise<void> => {
    const nodes = (await readClusterFile(dir))?.nodes ?? []
    assert.ok(nodes.length > 0)
    for (const node of nodes) assert.equal(await isDaemonProcess(node.pid, node.dataDir), false, `node ${node.index} (pid ${node.pid}) still runs`)
  }

  before(async () => { root = await makeTempDir('cluster-cmd') })
  after(async () => {
    // Whatever a failed test left running.
    for (const dir of dirs) await runMain(['cluster', 'down', '--dir', dir, '--timeout', '1s']).catch(() => {})
    await removeTempDir(root)
  })

  it('up returns with the daemons running; status and down find them through cluster.json', async () => {
    const dir = newDir()
    const up = await runCli(['cluster', 'up', '--nodes', '3', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON, '--json', '--', '--replication', '2'])
    assert.equal(up.code, 0, up.stderr)
    const printed = JSON.parse(up.stdout.toString()) as ClusterFile
    assert.deepEqual(printed, await readClusterFile(dir))
    assert.deepEqual(printed.nodes.map((n) => n.index), [0, 1, 2])
    for (const node of printed.nodes) {
      assert.equal(isProcessAlive(node.pid), true, `node ${node.index} outlives \`cluster up\``)
      assert.match(await readFile(path.join(node.dataDir, 'daemon.log'), 'utf8'), /--replication 2"/)
    }

    const status = await runMain(['cluster', 'status', '--dir', dir])
    assert.equal(status.code, 0, status.stderr)
    const lines = status.stdout.trimEnd().split('\n')
    assert.deepEqual(lines[0]?.split(/ {2,}/), ['NODE', 'PID', 'PROCESS', 'API', 'ANSWERS', 'ROLE', 'PEER'])
    assert.deepEqual(lines.slice(1, 4).map((l) => l.split(/ {2,}/)), printed.nodes.map((n, i) => [String(i), String(n.pid), 'running', n.apiUrl, 'yes', i === 0 ? 'leader' : 'follower', n.peerId]))
    assert.equal(lines[4], `leader  node 0 ${printed.nodes[0]?.peerId ?? ''} (term 1)`)
    const statusJson = JSON.parse((await runMain(['cluster', 'status', '--dir', dir, '--json'])).stdout) as { nodes: Array<{ running: boolean, role: string }>, leader: { index: number } }
    assert.deepEqual(statusJson.nodes.map((n) => [n.running, n.role]), [[true, 'leader'], [true, 'follower'], [true, 'follower']])
    assert.equal(statusJson.leader.index, 0)

    const again = await runMain(['cluster', 'up', '--nodes', '1', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /already runs a cluster: node 0 \(pid \d+\) is alive; stop it first with `jadfs cluster down --dir .*` \(CLUSTER_START_FAILED\)\n$/)

    const down = await runMain(['cluster', 'down', '--dir', dir])
    assert.equal(down.code, 0, down.stderr)
    assert.equal(down.stdout, printed.nodes.map((n) => `node ${n.index} (pid ${n.pid}): stopped\n`).join(''))
    await allGone(dir)
    const twice = await runMain(['cluster', 'down', '--dir', dir, '--json'])
    assert.deepEqual(JSON.parse(twice.stdout), printed.nodes.map((n) => ({ index: n.index, pid: n.pid, outcome: 'not running' })))
    const gone = await runMain(['cluster', 'status', '--dir', dir])
    assert.match(gone.stdout, /^0 +\d+ +gone +http:\S+ +no \(not running\) +- +12D3KooW/m)
    assert.match(gone.stdout, /^leader {2}none known$/m)
  })

  it('prints one row per node as text', async () => {
    const dir = newDir()
    const up = await runMain(['cluster', 'up', '--nodes', '2', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON])
    assert.equal(up.code, 0, up.stderr)
    const recorded = await readClusterFile(dir)
    const lines = up.stdout.trimEnd().split('\n')
    assert.equal(lines[0], `started 2 node(s) in ${dir}`)
    assert.deepEqual(lines.slice(1, 4).map((l) => l.split(/ {2,}/)), [['NODE', 'API', 'PEER', 'PID'], ...(recorded?.nodes ?? []).map((n) => [String(n.index), n.apiUrl, n.peerId, String(n.pid)])])
    assert.equal(lines[4], `logs: ${dir}/node<i>/daemon.log; stop with: jadfs cluster down --dir ${dir}`)
    assert.equal((await runMain(['cluster', 'down', '--dir', dir])).code, 0)
  })

  it('a failed start is one error naming the node, with its log, and leaves nothing running', async () => {
    const dir = newDir()
    const res = await runMain(['cluster', 'up', '--nodes', '3', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON], { env: { STAND_IN_EXIT: '1:4' } })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /^jadfs: node 1 exited with code 4 while starting; its log .*\/node1\/daemon\.log ends with:\n/)
    assert.match(res.stderr, /exiting on purpose before serving","node":1} \(CLUSTER_START_FAILED\)\n$/)
    await allGone(dir)
  })

  it('down SIGKILLs a daemon that ignores SIGTERM for --timeout', async () => {
    const dir = newDir()
    const up = await runMain(['cluster', 'up', '--nodes', '2', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON], { env: { STAND_IN_STUBBORN: '1' } })
    assert.equal(up.code, 0, up.stderr)
    const [first, second] = await pids(dir)
    const down = await runMain(['cluster', 'down', '--dir', dir, '--timeout', '300ms'])
    assert.equal(down.stdout, `node 0 (pid ${first ?? 0}): stopped\nnode 1 (pid ${second ?? 0}): killed (still running 300ms after SIGTERM)\n`)
  })

  it('Ctrl-C during up stops the daemons started so far and exits 130', async () => {
    const dir = newDir()
    const child = spawn(process.execPath, [jadfsBin(), 'cluster', 'up', '--nodes', '3', '--dir', dir, '--daemon-bin', STAND_IN_DAEMON], {
      env: { ...process.env, STAND_IN_LONER: '2' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    // Wait until all three are up (node 2 never joins, so up keeps waiting), then interrupt.
    while (((await readClusterFile(dir).catch(() => undefined))?.nodes ?? []).filter((n) => n.apiUrl !== null).length < 3) await sleep(50)
    child.kill('SIGINT')
    assert.equal(await exited, 130, stderr)
    assert.match(stderr, /interrupted; the nodes started so far are stopped \(INTERRUPTED\)/)
    assert.equal((await pids(dir)).length, 3)
    await allGone(dir)
  })

  it('down and status on a directory without cluster.json: FILE_NOT_FOUND, exit 1', async () => {
    for (const command of ['down', 'status']) {
      const res = await runMain(['cluster', command, '--dir', root])
      assert.equal(res.code, 1)
      assert.equal(res.stderr, `jadfs: no cluster in ${root}: ${root}/cluster.json does not exist (start one with \`jadfs cluster up --dir ${root}\`) (FILE_NOT_FOUND)\n`)
    }
  })

  it('checks flag values at their limits (exit 2) before starting anything', async () => {
    const dir = newDir()
    const cases: Array<[string[], RegExp]> = [
      [['up', '--dir', dir], /required option '--nodes <n>' not specified/],
      [['up', '--nodes', '3'], /required option '--dir <dir>' not specified/],
      [['up', '--nodes', '0', '--dir', dir], /--nodes "0": expected a whole number from 1 to 64/],
      [['up', '--nodes', '65', '--dir', dir], /--nodes "65": expected a whole number from 1 to 64/],
      [['up', '--nodes', 'three', '--dir', dir], /--nodes "three"/],
      [['up', '--nodes', '3', '--voters', '4', '--dir', dir], /--voters 4: expected an odd number/],
      [['up', '--nodes', '3', '--voters', '0', '--dir', dir], /--voters "0": expected a whole number from 1 to 64/],
      [['up', '--nodes', '3', '--dir', dir, '--start-timeout', 'soon'], /--start-timeout "soon" is not a duration/],
      [['up', '--nodes', '3', '--dir', dir, '--bogus'], /unknown option '--bogus'/],
      [['down'], /required option '--dir <dir>' not specified/],
      [['down', '--dir', dir, '--timeout', 'never'], /--timeout "never" is not a duration/],
      [['status'], /required option '--dir <dir>' not specified/]
    ]
    for (const [args, message] of cases) {
      const res = await runMain(['cluster', ...args, '--daemon-bin', STAND_IN_DAEMON].filter((a, i, all) => args[0] === 'up' || (a !== '--daemon-bin' && all[i - 1] !== '--daemon-bin')))
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
      assert.match(res.stderr, message)
    }
    assert.equal(await readClusterFile(dir), undefined)
  })
})
