// Checks the harness's small file and process helpers at their limits: the log tail reads at
// most its 16 KiB window and drops the line cut at the window's start; cluster.json round-trips
// and a foreign or broken one is refused with a clear error; daemon.json counts only once
// complete; a pid counts as a node's daemon only while its command line names the data dir,
// and terminate() reports stopped, killed or not running.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isJadfsError } from '../../src/errors.js'
import { readClusterFile, requireClusterFile, writeClusterFile } from '../../src/harness/cluster-file.js'
import { readDaemonFile } from '../../src/harness/daemon-file.js'
import { logTail } from '../../src/harness/log-tail.js'
import { isDaemonProcess, terminate } from '../../src/harness/process-control.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const WINDOW_BYTES = 16 * 1024

describe('harness: files and processes', function () {
  this.timeout(20_000)
  let dir: string
  before(async () => { dir = await makeTempDir('harness-files') })
  after(async () => { await removeTempDir(dir) })

  it('log tail: the last lines, never more than the window, never a cut line', async () => {
    const file = path.join(dir, 'a.log')
    await writeFile(file, Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n')
    assert.equal(await logTail(file, 3), 'line 27\nline 28\nline 29')
    // One byte more than the window: the first line is cut, so it is dropped.
    const line = 'x'.repeat(99) + '\n'
    const exact = line.repeat(WINDOW_BYTES / line.length | 0)
    const pad = WINDOW_BYTES - exact.length
    await writeFile(file, 'A'.repeat(pad + 1) + exact)
    const tail = await logTail(file, 1000)
    assert.equal(tail.split('\n').length, exact.length / line.length - 1)
    assert.ok(!tail.includes('A'))
    // Exactly the window: nothing is cut, every line is kept.
    await writeFile(file, 'B'.repeat(pad - 1) + '\n' + exact)
    assert.equal((await logTail(file, 1000)).split('\n')[0], 'B'.repeat(pad - 1))
    assert.equal(await logTail(path.join(dir, 'none.log')), `(no log at ${path.join(dir, 'none.log')})`)
  })

  it('cluster.json round-trips; a missing one is undefined or FILE_NOT_FOUND; a foreign one is refused', async () => {
    const cluster = { nodes: [{ index: 0, dataDir: '/d/node0', apiUrl: 'http://127.0.0.1:1', peerId: '12D3KooWx', pid: 1, addrs: [] }] }
    await writeClusterFile(dir, cluster)
    assert.deepEqual(await readClusterFile(dir), cluster)
    const empty = path.join(dir, 'empty')
    await mkdir(empty)
    assert.equal(await readClusterFile(empty), undefined)
    await assert.rejects(requireClusterFile(empty), (err) => isJadfsError(err, 'FILE_NOT_FOUND'))
    await writeFile(path.join(empty, 'cluster.json'), '{"nodes": [{"index": 0}]}')
    await assert.rejects(readClusterFile(empty), (err) => isJadfsError(err, 'INVALID_ARGUMENT') && /not a cluster file written by `jadfs cluster up`/.test(err.message))
    await writeFile(path.join(empty, 'cluster.json'), '{"nodes": ')
    await assert.rejects(readClusterFile(empty), (err) => isJadfsError(err, 'INVALID_ARGUMENT') && /is not JSON/.test(err.message))
  })

  it('daemon.json counts only when complete', async () => {
    const dataDir = path.join(dir, 'node0')
    await mkdir(dataDir)
    assert.equal(await readDaemonFile(dataDir), undefined)
    await writeFile(path.join(dataDir, 'daemon.json'), '{"pid": 12, "apiUrl": "http://127.0.0.1:1"')
    assert.equal(await readDaemonFile(dataDir), undefined)
    await writeFile(path.join(dataDir, 'daemon.json'), '{"pid": 12, "apiUrl": "http://127.0.0.1:1", "peerId": "p"}')
    assert.equal(await readDaemonFile(dataDir), undefined, 'no addrs')
    const whole = { pid: 12, apiUrl: 'http://127.0.0.1:1', peerId: 'p', addrs: [], version: '0.1.0', startedAtMs: 1 }
    await writeFile(path.join(dataDir, 'daemon.json'), JSON.stringify(whole))
    assert.deepEqual(await readDaemonFile(dataDir), whole)
  })

  it('a pid is a node\'s daemon only while alive with that exact data dir in its command line', async () => {
    const dataDir = path.join(dir, 'node1')
    const script = 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("ready")'
    const child = spawn(process.execPath, ['-e', script, 'daemon', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    // Once it has said so, its SIGTERM handler is in place.
    await new Promise((resolve) => child.stdout.once('data', resolve))
    const pid = child.pid ?? 0
    assert.equal(await isDaemonProcess(pid, dataDir), true)
    assert.equal(await isDaemonProcess(pid, path.join(dir, 'node')), false, 'a prefix of the data dir is another node')
    assert.equal(await isDaemonProcess(process.pid, dataDir), false, 'alive, but not that daemon')
    // It ignores SIGTERM, so terminate() escalates to SIGKILL after the timeout.
    const startedAtMs = Date.now()
    assert.equal(await terminate(pid, async () => await isDaemonProcess(pid, dataDir), 300), 'killed')
    assert.ok(Date.now() - startedAtMs >= 300)
    await exited
    assert.equal(await isDaemonProcess(pid, dataDir), false)
    assert.equal(await terminate(pid, async () => await isDaemonProcess(pid, dataDir), 300), 'not running')
  })
})
