// Downloads reuse their piece buffers once the HTTP response has written them. A buffer handed
// back too early would be refilled with later bytes while the socket still queues it, and a
// client would receive wrong bytes with a 200. This checks, against the real daemon process,
// that slow clients (which keep the server's socket queue full), fast clients and a slow range
// reader, all at once on the same file, each receive exactly the bytes stored (SHA-256).
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { writeRandomFile } from '../helpers/random-file.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const FILE_BYTES = 40 * 1024 * 1024
const RANGE = { start: 1_000_003, end: 29_999_999 }

/** downloads a URL and hashes the body, pausing `pauseMs` after every `pauseEveryBytes` */
async function hashDownload (url: string, options: { pauseEveryBytes?: number, pauseMs?: number, range?: string } = {}): Promise<{ status: number, sha256: string, bytes: number }> {
  return await new Promise((resolve, reject) => {
    const req = http.get(url, { headers: options.range === undefined ? {} : { range: options.range } }, (res) => {
      const hash = createHash('sha256')
      let bytes = 0
      let sincePause = 0
      res.on('data', (piece: Buffer) => {
        hash.update(piece)
        bytes += piece.byteLength
        sincePause += piece.byteLength
        if (options.pauseEveryBytes !== undefined && sincePause >= options.pauseEveryBytes) {
          sincePause = 0
          res.pause()
          setTimeout(() => res.resume(), options.pauseMs ?? 50)
        }
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), bytes }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.setTimeout(60_000, () => req.destroy(new Error('download timed out')))
  })
}

async function sha256OfSlice (file: string, start: number, endInclusive: number): Promise<string> {
  const hash = createHash('sha256')
  for await (const piece of createReadStream(file, { start, end: endInclusive })) hash.update(piece as Buffer)
  return hash.digest('hex')
}

describe('e2e: download buffer reuse never changes the bytes a client receives', function () {
  this.timeout(120_000)
  let dir: string
  let daemon: DaemonProcess
  let local: string
  let fileSha: string

  before(async () => {
    dir = await makeTempDir('e2e-reuse')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--chunk-size', '4MiB', '--log-level', 'warn'] })
    local = path.join(dir, 'file.bin')
    fileSha = await writeRandomFile(local, FILE_BYTES)
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${daemon.apiUrl}/v1/files/reuse/file.bin`, { method: 'PUT', headers: { 'content-length': String(FILE_BYTES) } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      req.on('error', reject)
      createReadStream(local).on('error', reject).pipe(req)
    })
    assert.equal(status, 201)
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('slow, fast and range readers at once all get the stored bytes', async () => {
    const url = `${daemon.apiUrl}/v1/files/reuse/file.bin`
    const [slowA, slowB, fastA, fastB, slowRange] = await Promise.all([
      hashDownload(url, { pauseEveryBytes: 2 * 1024 * 1024, pauseMs: 40 }),
      hashDownload(url, { pauseEveryBytes: 512 * 1024, pauseMs: 15 }),
      hashDownload(url),
      hashDownload(url),
      hashDownload(url, { pauseEveryBytes: 1024 * 1024, pauseMs: 25, range: `bytes=${RANGE.start}-${RANGE.end}` })
    ])
    for (const [name, got] of Object.entries({ slowA, slowB, fastA, fastB })) {
      assert.equal(got.status, 200, name)
      assert.equal(got.bytes, FILE_BYTES, name)
      assert.equal(got.sha256, fileSha, `${name} received different bytes`)
    }
    assert.equal(slowRange.status, 206)
    assert.equal(slowRange.bytes, RANGE.end - RANGE.start + 1)
    assert.equal(slowRange.sha256, await sha256OfSlice(local, RANGE.start, RANGE.end), 'the range reader received different bytes')
  })
})
