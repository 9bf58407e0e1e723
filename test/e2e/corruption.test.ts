// End to end: a byte flipped in a chunk file on disk is detected. `jadfs get` fails with
// CHUNK_CORRUPT and a non-zero exit, leaves no local file, and never writes wrong bytes to
// stdout, whether the bad chunk is the first one (clean error before any byte) or a later
// one (found mid-stream); /v1/chunks/<cid> and status report it too.
import { strict as assert } from 'node:assert'
import { open, readdir } from 'node:fs/promises'
import path from 'node:path'
import type { FileRecord, NodeStatus } from '../../src/files/file-service.js'
import { chunkFilePath } from '../helpers/chunk-files.js'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const MiB = 1024 * 1024

async function flipByte (filePath: string, offset: number): Promise<void> {
  const handle = await open(filePath, 'r+')
  try {
    const one = Buffer.alloc(1)
    await handle.read(one, 0, 1, offset)
    one[0] = (one[0] as number) ^ 0xff
    await handle.write(one, 0, 1, offset)
  } finally {
    await handle.close()
  }
}

function content (seed: number): Buffer {
  const bytes = Buffer.alloc(3 * MiB)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + seed + (i >> 10)) & 0xff
  return bytes
}

describe('e2e: corrupted chunk files', function () {
  this.timeout(60_000)
  let dir: string
  let daemon: DaemonProcess

  before(async () => {
    dir = await makeTempDir('e2e-corrupt')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--chunk-size', '1MiB', '--log-level', 'warn'] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  const store = async (name: string, seed: number): Promise<{ record: FileRecord, bytes: Buffer }> => {
    const bytes = content(seed)
    const res = await runCliOk(['put', '-', name, '--json'], { apiUrl: daemon.apiUrl, stdin: bytes })
    return { record: JSON.parse(res.stdout.toString()) as FileRecord, bytes }
  }

  it('a corrupt first chunk: get fails with CHUNK_CORRUPT, no file, no bytes', async () => {
    const { record } = await store('/c/first.bin', 1)
    await flipByte(await chunkFilePath(daemon.dataDir, record.chunks[0]?.cid as string), 4321)
    const res = await runCli(['get', '/c/first.bin', 'first.bin'], { apiUrl: daemon.apiUrl, cwd: dir })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /CHUNK_CORRUPT/)
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('first')), [])
    const piped = await runCli(['get', '/c/first.bin', '-'], { apiUrl: daemon.apiUrl })
    assert.equal(piped.code, 1)
    assert.equal(piped.stdout.length, 0)
    const http = await fetch(`${daemon.apiUrl}/v1/files/c/first.bin`)
    assert.equal(http.status, 500)
    assert.equal(((await http.json()) as { error: { code: string } }).error.code, 'CHUNK_CORRUPT')
  })

  it('a corrupt later chunk: get fails with CHUNK_CORRUPT and only correct bytes ever reach stdout', async () => {
    const { record, bytes } = await store('/c/later.bin', 2)
    const cid = record.chunks[2]?.cid as string
    await flipByte(await chunkFilePath(daemon.dataDir, cid), 99)
    const res = await runCli(['get', '/c/later.bin', 'later.bin'], { apiUrl: daemon.apiUrl, cwd: dir })
    assert.equal(res.code, 1, res.stderr)
    assert.match(res.stderr, /CHUNK_CORRUPT/)
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('later')), [])
    const piped = await runCli(['get', '/c/later.bin', '-'], { apiUrl: daemon.apiUrl })
    assert.equal(piped.code, 1)
    assert.match(piped.stderr, /CHUNK_CORRUPT/)
    assert.ok(piped.stdout.length <= 2 * MiB, `got ${piped.stdout.length} bytes`)
    assert.ok(piped.stdout.equals(bytes.subarray(0, piped.stdout.length)), 'bytes written are a correct prefix')
    const chunk = await fetch(`${daemon.apiUrl}/v1/chunks/${cid}`)
    assert.equal(chunk.status, 500)
    assert.equal(((await chunk.json()) as { error: { code: string } }).error.code, 'CHUNK_CORRUPT')
    const status = JSON.parse((await runCliOk(['status', '--json'], { apiUrl: daemon.apiUrl })).stdout.toString()) as NodeStatus
    assert.ok(status.badChunks >= 2, `badChunks ${status.badChunks}`)
  })
})
