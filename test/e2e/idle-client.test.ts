// One real daemon with --client-idle-timeout 1s. A client that sends the headers and part of
// an upload and then nothing, keeping its connection open, is cut off after about a second:
// its connection closes, the daemon logs UPLOAD_INCOMPLETE saying the client sent nothing for
// 1 s, the temp file is gone and nothing is stored; the daemon goes on serving (a put and get
// after it work).
import { strict as assert } from 'node:assert'
import { readdir } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { waitUntil } from '../helpers/cluster-http.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('e2e: a client that goes quiet mid-upload', function () {
  this.timeout(60_000)
  let dir: string
  let daemon: DaemonProcess | undefined

  before(async () => {
    dir = await makeTempDir('idle-client')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--client-idle-timeout', '1s'] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('is cut off after the idle timeout, and nothing is stored', async () => {
    const d = daemon as DaemonProcess
    const { hostname, port } = new URL(d.apiUrl)
    const closedAfterMs = await new Promise<number>((resolve, reject) => {
      const startMs = performance.now()
      const socket = net.connect(Number(port), hostname, () => {
        socket.write('PUT /v1/files/quiet.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n')
        socket.write(Buffer.alloc(1000, 3))
      })
      socket.on('data', () => {})
      socket.on('error', () => {})
      socket.on('close', () => { resolve(performance.now() - startMs) })
      setTimeout(() => { socket.destroy(); reject(new Error('the daemon kept the quiet upload open for 20 s')) }, 20_000)
    })
    assert.ok(closedAfterMs >= 950 && closedAfterMs < 5000, `closed after ${Math.round(closedAfterMs)} ms`)
    // the connection closes before the daemon has finished logging why
    const why = /UPLOAD_INCOMPLETE.*the client sent nothing for 1 s; the upload was given up and nothing was stored/
    await waitUntil('the daemon to log why it cut the client off', async () => why.test(d.logs()), 5000, 50)
    assert.match(d.logs(), why)
    assert.deepEqual(await readdir(path.join(dir, 'data', 'tmp')), [])
    const stat = await runCli(['stat', '/quiet.bin'], { apiUrl: d.apiUrl })
    assert.match(stat.stderr, /FILE_NOT_FOUND/)

    await runCliOk(['put', '-', '/after.bin'], { apiUrl: d.apiUrl, stdin: Buffer.alloc(5000, 9) })
    const got = await runCliOk(['get', '/after.bin', '-'], { apiUrl: d.apiUrl })
    assert.equal(got.stdout.length, 5000)
  })
})
