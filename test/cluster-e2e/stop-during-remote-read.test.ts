// A peer stops promptly while a read through it waits on a silent holder: three real
// daemons, a file put with one copy (on the writer), the writer frozen with SIGSTOP (its
// connections stay open, it answers nothing), a read started through another peer, which
// asks the frozen writer for the chunk; then SIGTERM to the reading peer. Checks that it
// exits cleanly (code 0) within a few seconds of its shutdown grace (2 s), not after the
// minutes its fetch could wait on the silent holder. Two things end the wait, either one is
// enough here: the read stops waiting when its client's connection goes (the API closes them
// after the grace), and the node's stop aborts chunk fetches before it waits for in-flight
// reads (which also covers fetches no client waits for). With neither, the file service's
// close waits for the read and the read for the fetch's deadlines (15 s here, then the kill).
import { strict as assert } from 'node:assert'
import path from 'node:path'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { TEST_DAEMON_ARGS, patternBytes, putBytes } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('cluster: stopping while a read waits on a silent holder', function () {
  this.timeout(120_000)
  let dir: string
  let cluster: LocalCluster | undefined
  let frozen: number | undefined

  before(async () => {
    dir = await makeTempDir('stop-during-remote-read')
    cluster = await startLocalCluster({ nodes: 3, dir: path.join(dir, 'c'), stopTimeoutMs: 60_000, daemonArgs: [...TEST_DAEMON_ARGS, '--shutdown-grace', '2s'] })
  })
  after(async () => {
    if (frozen !== undefined) await cluster?.kill(frozen, 'SIGCONT')
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('exits cleanly within its shutdown grace and a few seconds', async () => {
    const c = cluster as LocalCluster
    const [writer, , reader] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]]
    const put = await putBytes(writer.apiUrl, '/held.bin', patternBytes(600 * 1024, 5), 'replication=1&mode=sync')
    assert.equal(put.status, 201)

    await c.kill(writer.index, 'SIGSTOP')
    frozen = writer.index
    // a stale read needs no quorum: it goes straight to fetching the chunks from their holder
    const reading = fetch(`${reader.apiUrl}/v1/files/held.bin?stale=true`).then(async (res) => await res.arrayBuffer()).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 1500))

    const stopAtMs = performance.now()
    const exit = await c.kill(reader.index, 'SIGTERM')
    const tookMs = performance.now() - stopAtMs
    assert.deepEqual(exit, { code: 0, signal: null })
    assert.ok(tookMs < 10_000, `the reading peer took ${Math.round(tookMs)} ms to stop`)
    await reading
  })
})
