// A peer whose disk is nearly full, for real: its data dir is a small tmpfs (mounted for the
// test; needs root, skipped otherwise), every daemon keeping --reserve 32MiB free. Three peers
// hold two files; the fourth, with room for not much more than one file above its reserve,
// reads both. Checks that both reads are byte-identical, that what the first read cached is
// evicted (least recently read first) to make room for the second instead of eating into the
// reserve, and that the copies on the other peers are untouched (without the eviction the
// second read fills the disk past the reserve, which the free-space check catches), and that a
// file larger than the whole room is read too (chunks the read has passed are evicted for the
// chunks ahead; it failed halfway while a read held all its chunks to the end). Then a
// put through the full peer that would eat into the reserve is NO_SPACE (507) leaving no chunk
// or temp file of it, and a small put through it still works.
import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, statfs } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { listChunkFiles } from '../helpers/chunk-files.js'
import { TEST_DAEMON_ARGS, getBytes, holdersOf, putBytes } from '../helpers/cluster-http.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const RESERVE = 32 * MiB
const FILE_BYTES = 24 * MiB

describe('cluster: a peer with a nearly full disk', function () {
  this.timeout(180_000)
  let dir: string
  let cluster: LocalCluster | undefined
  let mounted: string | undefined

  before(async function () {
    dir = await makeTempDir('full-peer')
    const small = path.join(dir, 'c', 'node3')
    await mkdir(small, { recursive: true })
    try {
      // room for the metadata, the log and one file (not two) above the reserve
      await run('mount', ['-t', 'tmpfs', '-o', `size=${RESERVE + FILE_BYTES + 16 * MiB}`, 'tmpfs', small])
      mounted = small
    } catch (err) {
      await removeTempDir(dir)
      console.log(`      (skipped: cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0] ?? ''})`)
      this.skip()
    }
    const args = [...TEST_DAEMON_ARGS.map((a) => a === '256KiB' ? '8MiB' : a), '--reserve', '32MiB']
    cluster = await startLocalCluster({ nodes: 3, dir: path.join(dir, 'c'), daemonArgs: args })
  })
  after(async () => {
    await cluster?.stop()
    if (mounted !== undefined) await run('umount', [mounted])
    if (mounted !== undefined) await removeTempDir(dir)
  })

  it('evicts what one read cached to make room for the next, keeping the reserve free', async () => {
    const c = cluster as LocalCluster
    // random: a repeating pattern would make the chunks of a file one and the same
    const first = randomBytes(FILE_BYTES)
    const second = randomBytes(FILE_BYTES)
    const putFirst = await putBytes(c.nodes[0]!.apiUrl, '/first.bin', first, 'replication=3&mode=sync')
    const putSecond = await putBytes(c.nodes[0]!.apiUrl, '/second.bin', second, 'replication=3&mode=sync')
    assert.deepEqual([putFirst.status, putSecond.status], [201, 201])
    const full = await c.addNode()
    const held = async (cids: readonly string[]): Promise<number> => (await listChunkFiles(full.dataDir)).filter((f) => cids.includes(path.basename(f))).length
    const firstCids = putFirst.body.chunks.map((ch) => ch.cid)
    const secondCids = putSecond.body.chunks.map((ch) => ch.cid)

    const gotFirst = await getBytes(full.apiUrl, '/first.bin')
    assert.equal(gotFirst.status, 200)
    assert.ok(gotFirst.body.equals(first), 'the first file differs through the full peer')
    assert.equal(await held(firstCids), firstCids.length, 'the first read cached nothing')

    const gotSecond = await getBytes(full.apiUrl, '/second.bin')
    assert.equal(gotSecond.status, 200, gotSecond.body.toString().slice(0, 300))
    assert.ok(gotSecond.body.equals(second), 'the second file differs through the full peer')
    const disk = await statfs(full.dataDir)
    assert.ok(disk.bavail * disk.bsize >= RESERVE, `the reads left ${disk.bavail * disk.bsize} bytes free, under the ${RESERVE} reserve`)
    assert.ok(await held(firstCids) < firstCids.length, 'nothing the first read cached was evicted')
    for (const cid of [...firstCids, ...secondCids]) {
      assert.equal((await holdersOf(c, cid)).filter((n) => n !== full.index).length, 3, `chunk ${cid} lost a copy on the other peers`)
    }
  })

  it('reads a file larger than its whole room, evicting the chunks the read has passed', async () => {
    const c = cluster as LocalCluster
    const full = c.nodes[3]!
    const large = randomBytes(2 * FILE_BYTES + 8 * MiB)
    const put = await putBytes(c.nodes[0]!.apiUrl, '/large.bin', large, 'replication=3&mode=sync')
    assert.equal(put.status, 201)
    const got = await getBytes(full.apiUrl, '/large.bin')
    assert.equal(got.status, 200)
    assert.ok(got.body.equals(large), 'the large file differs through the full peer')
    const disk = await statfs(full.dataDir)
    assert.ok(disk.bavail * disk.bsize >= RESERVE, 'the read ate into the reserve')
  })

  it('a put through the full peer stops short of its reserve: NO_SPACE, nothing of it left', async () => {
    const full = (cluster as LocalCluster).nodes[3]!
    const before = new Set((await listChunkFiles(full.dataDir)).map((f) => path.basename(f)))
    const refused = await putBytes(full.apiUrl, '/too-big.bin', randomBytes(3 * FILE_BYTES))
    assert.equal(refused.status, 507, JSON.stringify(refused.body))
    assert.equal(refused.body.error.code, 'NO_SPACE')
    assert.match(refused.body.error.message, /keeps 32\.0 MiB of it for its metadata and logs \(--reserve\)(, [^:]* promised to writes in progress)?: no room for 8\.00 MiB, another chunk of this put; nothing was stored/)
    const after = (await listChunkFiles(full.dataDir)).map((f) => path.basename(f)).filter((cid) => !before.has(cid))
    const disk = await statfs(full.dataDir)
    assert.ok(disk.bavail * disk.bsize >= RESERVE, 'the refused put ate into the reserve')
    assert.equal((await getBytes(full.apiUrl, '/too-big.bin')).status, 404)
    // the chunks it did store before running out went with the failure
    assert.deepEqual(after, [], 'chunks of the refused put were left behind')
    const small = await putBytes(full.apiUrl, '/small.bin', randomBytes(100_000), 'replication=1')
    assert.equal(small.status, 201, JSON.stringify(small.body))
  })
})
