// End to end: the same bytes stored under two names are kept once (status: physicalBytes
// unchanged, logicalBytes doubled, as the CLI reports them), and deleting both files then
// running `jadfs gc` (daemon started with --gc-grace 0s) frees the chunk files on disk.
import { strict as assert } from 'node:assert'
import path from 'node:path'
import type { GcReport, NodeStatus } from '../../src/files/file-service.js'
import { listChunkFiles } from '../helpers/chunk-files.js'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { writeRandomFile } from '../helpers/random-file.js'
import { runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const FILE_BYTES = 5 * 1024 * 1024 + 123

describe('e2e: dedup, delete and garbage collection', function () {
  this.timeout(60_000)
  let dir: string
  let daemon: DaemonProcess
  const cli = async (...args: string[]) => await runCliOk(args, { apiUrl: daemon.apiUrl, cwd: dir })
  const status = async () => JSON.parse((await cli('status', '--json')).stdout.toString()) as NodeStatus

  before(async () => {
    dir = await makeTempDir('e2e-gc')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--chunk-size', '1MiB', '--gc-grace', '0s', '--log-level', 'warn'] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('stores identical content once and frees it after rm + gc', async () => {
    const local = path.join(dir, 'same.bin')
    await writeRandomFile(local, FILE_BYTES)

    await cli('put', local, '/one/same.bin')
    const afterOne = await status()
    assert.equal(afterOne.logicalBytes, FILE_BYTES)
    assert.equal(afterOne.physicalBytes, FILE_BYTES)
    assert.equal(afterOne.chunks, 6)
    assert.equal((await listChunkFiles(daemon.dataDir)).length, 6)

    await cli('put', local, '/two/same-again.bin')
    const afterTwo = await status()
    assert.equal(afterTwo.files, 2)
    assert.equal(afterTwo.logicalBytes, 2 * FILE_BYTES, 'logical bytes double')
    assert.equal(afterTwo.physicalBytes, FILE_BYTES, 'physical bytes unchanged')
    assert.equal(afterTwo.chunks, 6)
    assert.equal((await listChunkFiles(daemon.dataDir)).length, 6)
    const human = (await cli('status')).stdout.toString()
    assert.match(human, /dedup ratio 2\.00/)

    // One name removed: the chunks are still referenced and gc must keep them.
    await cli('rm', '/one/same.bin')
    const keep = JSON.parse((await cli('gc', '--json')).stdout.toString()) as GcReport
    assert.equal(keep.chunksRemoved, 0)
    assert.equal((await listChunkFiles(daemon.dataDir)).length, 6)
    assert.equal((await runCliOk(['get', '/two/same-again.bin', '-'], { apiUrl: daemon.apiUrl })).stdout.length, FILE_BYTES)

    await cli('rm', '/two/same-again.bin')
    const gc = JSON.parse((await cli('gc', '--json')).stdout.toString()) as GcReport
    assert.equal(gc.chunksRemoved, 6)
    assert.equal(gc.bytesFreed, FILE_BYTES)
    const empty = await status()
    assert.equal(empty.files, 0)
    assert.equal(empty.logicalBytes, 0)
    assert.equal(empty.physicalBytes, 0)
    assert.deepEqual(await listChunkFiles(daemon.dataDir), [])
    assert.match((await cli('gc')).stdout.toString(), /^freed 0 B: 0 chunk\(s\)/)
  })
})
