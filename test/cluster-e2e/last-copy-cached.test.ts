// The last copy of a chunk is a cached one: four real daemons, a file put with one copy
// (on the writer), read through a fourth peer (which keeps what it fetched as a cached copy),
// then the writer killed with SIGKILL. Checks that the fourth peer's garbage collection (every
// second, 3 s grace) does not evict the cached copy while no live peer confirms a copy, that
// its repair scan keeps it as a real copy (its have then answers yes), and that the file is
// still read byte-identical through another peer, from it. Without the confirmation the
// eviction takes the only bytes left and the read fails.
import { strict as assert } from 'node:assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import path from 'node:path'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { createJadfsHost, requestHave } from '../../src/p2p/index.js'
import { listChunkFiles } from '../helpers/chunk-files.js'
import { TEST_DAEMON_ARGS, getBytes, patternBytes, putBytes, waitUntil } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('cluster: the last copy of a chunk is a cached one', function () {
  this.timeout(120_000)
  let dir: string
  let cluster: LocalCluster | undefined

  before(async () => {
    dir = await makeTempDir('last-copy-cached')
    cluster = await startLocalCluster({ nodes: 4, dir: path.join(dir, 'c'), daemonArgs: [...TEST_DAEMON_ARGS, '--gc-interval', '1s', '--gc-grace', '3s'] })
  })
  after(async () => {
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('keeps it, makes it a copy, and serves the file from it after the only holder died', async () => {
    const c = cluster as LocalCluster
    const [writer, other, , reader] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]]
    const bytes = patternBytes(200 * 1024, 11)
    const put = await putBytes(writer.apiUrl, '/only.bin', bytes, 'replication=1&mode=sync')
    assert.equal(put.status, 201)
    const cid = put.body.chunks[0]!.cid
    const holds = async (node: { dataDir: string }): Promise<boolean> => (await listChunkFiles(node.dataDir)).some((f) => path.basename(f) === cid)
    assert.deepEqual(await Promise.all(c.nodes.map(holds)), [true, false, false, false], 'the one copy is not on the writer alone')

    const viaReader = await getBytes(reader.apiUrl, '/only.bin')
    assert.ok(viaReader.body.equals(bytes))
    assert.ok(await holds(reader), 'the read kept no cached copy')

    await c.kill(writer.index, 'SIGKILL')
    // dead after 7 missed heartbeats (2.1 s); the repair scan runs 2 s later; meanwhile the
    // collector runs every second with a 3 s grace: 8 s covers all of it several times over
    const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    try {
      await waitUntil('the reader to hold the chunk as a copy', async () => {
        const [has] = await requestHave(host, multiaddr(reader.addrs[0]!), [CID.parse(cid)], { signal: AbortSignal.timeout(5000) })
        return has === true
      }, 30_000, 500)
    } finally {
      await host.stop()
    }
    await new Promise((resolve) => setTimeout(resolve, 4000))
    assert.ok(await holds(reader), 'the last copy was evicted')
    const viaOther = await getBytes(other.apiUrl, '/only.bin')
    assert.equal(viaOther.status, 200)
    assert.ok(viaOther.body.equals(bytes), 'the file differs read through another peer')
  })
})
