// Kills the Raft leader with SIGKILL in the middle of a stream of writes through another
// peer, on three real daemon processes. Checks that every write acknowledged (201) before,
// during and after the kill is present on every surviving peer, that writes are acknowledged
// again under a new leader, that none fails at all (the write the dead leader took with it, and
// those forwarded to it before the writer learned of its death, are re-sent to the new leader)
// and each was applied once (version 1), and that the killed peer, restarted with its data dir
// after the log was compacted (--snapshot-every 20), catches up from a snapshot and lists them too.
import { strict as assert } from 'node:assert'
import { readFile } from 'node:fs/promises'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { TEST_DAEMON_ARGS, clusterView, getJson, waitUntil } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

interface Listing { files: Array<{ path: string, version: number }>, nextCursor?: string }

/** every listed path under /w/, with its version */
async function listAll (apiUrl: string): Promise<Map<string, number>> {
  const paths = new Map<string, number>()
  let cursor: string | undefined
  do {
    const page = await getJson<Listing>(`${apiUrl}/v1/files?prefix=/w/&limit=1000${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    assert.equal(page.status, 200, JSON.stringify(page.body))
    for (const f of page.body.files) paths.set(f.path, f.version)
    cursor = page.body.nextCursor
  } while (cursor !== undefined)
  return paths
}

describe('cluster: leader killed during writes', function () {
  this.timeout(180_000)
  let dir: string
  let cluster: LocalCluster

  before(async () => {
    dir = await makeTempDir('cluster-failover')
    cluster = await startLocalCluster({ nodes: 3, dir, daemonArgs: [...TEST_DAEMON_ARGS, '--snapshot-every', '20'] })
  })
  after(async () => {
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('loses no acknowledged write, resumes under a new leader, and the restarted peer catches up from a snapshot', async () => {
    const view = await clusterView(cluster.nodes[0]!.apiUrl)
    const leader = cluster.nodes.find((n) => n.peerId === view.leader)
    assert.ok(leader !== undefined, 'no leader')
    const writer = cluster.nodes.find((n) => n.index !== leader.index)!
    const acked: string[] = []
    const ackedAfterKill: string[] = []
    const failed: string[] = []
    let killed = false
    let stop = false
    const writes = (async () => {
      for (let i = 0; !stop; i++) {
        const path = `/w/${String(i).padStart(5, '0')}`
        try {
          const res = await fetch(`${writer.apiUrl}/v1/files${path}?replication=1`, { method: 'PUT', body: `value ${i}`, signal: AbortSignal.timeout(30_000) })
          if (res.status === 201) {
            await res.arrayBuffer()
            acked.push(path)
            if (killed) ackedAfterKill.push(path)
          } else {
            failed.push(`${path}: ${res.status} ${await res.text()}`)
          }
        } catch (err) {
          failed.push(`${path}: ${String(err)}`)
        }
      }
    })()
    await waitUntil('40 acknowledged writes', async () => acked.length >= 40, 30_000, 20)
    await cluster.kill(leader.index, 'SIGKILL')
    killed = true
    await waitUntil('40 writes acknowledged under a new leader', async () => ackedAfterKill.length >= 40, 60_000, 50)
    stop = true
    await writes

    const survivors = cluster.nodes.filter((n) => n.index !== leader.index)
    const newLeader = (await clusterView(survivors[0]!.apiUrl)).leader
    assert.ok(newLeader !== null && newLeader !== leader.peerId, `leader after the kill: ${String(newLeader)}`)
    for (const node of survivors) {
      const listed = await listAll(node.apiUrl)
      const lost = acked.filter((p) => !listed.has(p))
      assert.deepEqual(lost, [], `node ${node.index} lost acknowledged writes`)
      const twice = [...listed].filter(([, version]) => version !== 1)
      assert.deepEqual(twice, [], `node ${node.index} applied writes more than once`)
    }
    assert.deepEqual(failed, [], 'writes failed across the leader\'s death')

    const restarted = await cluster.restart(leader.index)
    await waitUntil('the restarted peer to list every acknowledged write', async () => {
      try {
        const listed = await listAll(restarted.apiUrl)
        return acked.every((p) => listed.has(p))
      } catch {
        return false
      }
    }, 60_000, 500)
    const log = await readFile(restarted.logFile, 'utf8')
    assert.match(log, /installed a namespace snapshot from the leader/, 'the restarted peer caught up without a snapshot')
  })
})
