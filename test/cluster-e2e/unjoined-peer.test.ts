// A daemon started with --join to an address where nobody answers is never added to a cluster.
// Checks that a put through it fails at once with NO_QUORUM and a message naming the cause
// (not after the 10 s wait, and before the upload is stored), that nothing is stored, and that
// its status reports it as no member, with no voters.
import { strict as assert } from 'node:assert'
import path from 'node:path'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { listChunkFiles } from '../helpers/chunk-files.js'
import { patternBytes } from '../helpers/cluster-http.js'
import { runCli } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const NOBODY = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGqKvya1VtM8FBrjnecYGyR8Gdy72zamByEK6AHqYjKmz'

describe('cluster: a peer no cluster has added', function () {
  this.timeout(60_000)
  let dir: string
  let daemon: DaemonProcess

  before(async () => {
    dir = await makeTempDir('unjoined')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--join', NOBODY, '--log-level', 'warn'] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('refuses a put at once with NO_QUORUM saying it has not been added, and stores nothing', async () => {
    const started = Date.now()
    const res = await runCli(['put', '-', '/x.bin'], { apiUrl: daemon.apiUrl, stdin: patternBytes(300 * 1024, 1) })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /has not been added to a cluster yet.*--join.*\(NO_QUORUM\)/s)
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`)
    assert.deepEqual(await listChunkFiles(daemon.dataDir), [])
    const status = JSON.parse((await runCli(['status', '--json'], { apiUrl: daemon.apiUrl })).stdout.toString()) as { cluster: { role: string, voters: string[] } }
    assert.equal(status.cluster.role, 'none')
    assert.deepEqual(status.cluster.voters, [])
  })
})
