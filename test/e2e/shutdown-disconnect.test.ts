// End to end with the real daemon process:
// - SIGTERM lets an upload in flight finish (it is acknowledged and durable after a restart),
//   refuses new connections, logs "jadfs daemon stopped" and exits 0; SIGINT likewise.
// - an upload still stuck after --shutdown-grace is cut off, the daemon still exits 0 and
//   nothing of it is visible afterwards.
// - a client that disconnects mid-upload leaves no visible file, and after gc no temp files
//   and no chunk files.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import http from 'node:http'
import path from 'node:path'
import type { FileRecord, NodeStatus } from '../../src/files/file-service.js'
import { listChunkFiles, listTempFiles } from '../helpers/chunk-files.js'
import { startDaemon } from '../helpers/daemon-process.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const MiB = 1024 * 1024

interface SlowUpload {
  readonly request: http.ClientRequest
  readonly response: Promise<{ status: number, body: string }>
}

function startUpload (apiUrl: string, filePath: string, totalBytes: number, firstBytes: Buffer): SlowUpload {
  const url = new URL(`/v1/files${filePath}`, apiUrl)
  const request = http.request(url, { method: 'PUT', headers: { 'content-length': String(totalBytes), 'content-type': 'application/octet-stream' } })
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    request.on('error', reject)
  })
  request.write(firstBytes)
  return { request, response }
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

describe('e2e: shutdown and disconnects', function () {
  this.timeout(60_000)
  let dir: string
  before(async () => { dir = await makeTempDir('e2e-stop') })
  after(async () => { await removeTempDir(dir) })

  it('SIGTERM finishes the upload in flight, refuses new work, logs and exits 0', async () => {
    const dataDir = path.join(dir, 'term')
    const daemon = await startDaemon({ dataDir, args: ['--chunk-size', '1MiB'] })
    try {
      const first = Buffer.alloc(2 * MiB, 1)
      const rest = Buffer.alloc(MiB, 2)
      const upload = startUpload(daemon.apiUrl, '/inflight.bin', first.length + rest.length, first)
      upload.response.catch(() => {})
      await sleep(300)
      daemon.child.kill('SIGTERM')
      await sleep(300)
      const refused = await fetch(`${daemon.apiUrl}/v1/health`).then((r) => r.status, (err: unknown) => String(err))
      assert.notEqual(refused, 200, 'a new request during shutdown must not be served')
      upload.request.end(rest)
      const res = await upload.response
      assert.equal(res.status, 201, res.body)
      const exit = await daemon.stop()
      assert.deepEqual(exit, { code: 0, signal: null })
      assert.match(daemon.logs(), /"msg":"shutting down"/)
      assert.match(daemon.logs(), /"msg":"jadfs daemon stopped"/)
    } finally {
      await daemon.stop()
    }
    const again = await startDaemon({ dataDir, args: ['--log-level', 'warn'] })
    try {
      const record = JSON.parse((await runCliOk(['stat', '/inflight.bin', '--json'], { apiUrl: again.apiUrl })).stdout.toString()) as FileRecord
      assert.equal(record.sizeBytes, 3 * MiB)
      const expected = createHash('sha256').update(Buffer.alloc(2 * MiB, 1)).update(Buffer.alloc(MiB, 2)).digest('hex')
      assert.equal(record.sha256, expected)
      assert.deepEqual(await again.stop('SIGINT'), { code: 0, signal: null })
    } finally {
      await again.stop()
    }
  })

  it('an upload stuck past --shutdown-grace is cut off; exit 0 and nothing visible', async () => {
    const dataDir = path.join(dir, 'stuck')
    const daemon = await startDaemon({ dataDir, args: ['--chunk-size', '1MiB', '--shutdown-grace', '1s', '--log-level', 'warn'] })
    const upload = startUpload(daemon.apiUrl, '/stuck.bin', 10 * MiB, Buffer.alloc(MiB, 3))
    upload.response.catch(() => {})
    await sleep(300)
    const startedAtMs = Date.now()
    const exit = await daemon.stop()
    assert.deepEqual(exit, { code: 0, signal: null })
    assert.ok(Date.now() - startedAtMs < 8000, 'shutdown is bounded')
    upload.request.destroy()
    const again = await startDaemon({ dataDir, args: ['--log-level', 'warn'] })
    try {
      const res = await runCli(['stat', '/stuck.bin'], { apiUrl: again.apiUrl })
      assert.equal(res.code, 1)
      assert.match(res.stderr, /FILE_NOT_FOUND/)
    } finally {
      await again.stop()
    }
  })

  it('a client disconnecting mid-upload leaves no file, and gc leaves no temp or chunk files', async () => {
    const daemon = await startDaemon({ dataDir: path.join(dir, 'cut'), args: ['--chunk-size', '1MiB', '--gc-grace', '0s', '--log-level', 'warn'] })
    try {
      const upload = startUpload(daemon.apiUrl, '/cut.bin', 20 * MiB, Buffer.alloc(3 * MiB + 5, 4))
      upload.response.catch(() => {})
      await sleep(500)
      upload.request.destroy()
      await sleep(300)
      const stat = await runCli(['stat', '/cut.bin'], { apiUrl: daemon.apiUrl })
      assert.equal(stat.code, 1)
      assert.match(stat.stderr, /FILE_NOT_FOUND/)
      // The aborted put releases its chunks asynchronously; gc until they are gone.
      let chunkFiles: string[] = []
      let tempFiles: string[] = []
      for (let attempt = 0; attempt < 20; attempt++) {
        await runCliOk(['gc'], { apiUrl: daemon.apiUrl })
        chunkFiles = await listChunkFiles(daemon.dataDir)
        tempFiles = await listTempFiles(daemon.dataDir)
        if (chunkFiles.length === 0 && tempFiles.length === 0) break
        await sleep(200)
      }
      assert.deepEqual(tempFiles, [])
      assert.deepEqual(chunkFiles, [])
      const status = JSON.parse((await runCliOk(['status', '--json'], { apiUrl: daemon.apiUrl })).stdout.toString()) as NodeStatus
      assert.equal(status.files, 0)
      assert.equal(status.physicalBytes, 0)
    } finally {
      await daemon.stop()
    }
  })
})
