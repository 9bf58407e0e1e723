// Checks, over a real socket with node:http (which sends the request target untouched, unlike
// inject() and fetch(), which normalise dot segments), that raw and encoded ".." reach the
// store's path validation and are rejected; that a client disconnecting mid-upload aborts
// putFile and stores nothing; and that corruption found mid-download cuts the body short of
// Content-Length rather than completing it; and that requests Node's parser rejects get the
// JSON error shape too. With a short client idle timeout: an upload whose client goes silent
// is cut once the timeout has passed and not before, a client sending with gaps just under it
// is not, nor is one whose bytes wait while the store is busy; a download whose client stops
// reading is cut, and the keep-alive connection of a finished one is not cut by that deadline.
import { strict as assert } from 'node:assert'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { makeTestApp, type TestApp } from './make-app.js'

interface RawResponse { status: number, headers: http.IncomingHttpHeaders, body: Buffer, complete: boolean }

function rawRequest (port: number, method: string, target: string, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: body === undefined ? {} : { 'content-length': String(body.length) } }, (res) => {
      const pieces: Buffer[] = []
      res.on('data', (d: Buffer) => pieces.push(d))
      const done = (): void => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(pieces), complete: res.complete }) }
      res.on('end', done)
      res.on('error', done)
      res.on('aborted', done)
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('API over a real socket', () => {
  let t: TestApp
  let port: number
  beforeEach(async () => {
    t = makeTestApp()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterEach(async () => { await t.app.close() })

  for (const target of ['/v1/files/a/../b', '/v1/files/../etc/passwd', '/v1/files/a/%2e%2e/b', '/v1/files/%2E%2E/x', '/v1/files/a/./b', '/v1/files/..']) {
    it(`${target} is rejected with 400 INVALID_PATH and stores nothing`, async () => {
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const res = await rawRequest(port, method, target, method === 'PUT' ? 'data' : undefined)
        assert.equal(res.status, 400, `${method} ${target}: ${res.body.toString()}`)
        assert.equal((JSON.parse(res.body.toString()) as { error: { code: string } }).error.code, 'INVALID_PATH')
      }
      assert.ok(t.files.paths.every((p) => p.includes('..') || p.includes('/./')), JSON.stringify(t.files.paths))
      assert.equal(t.files.files.size, 0)
    })
  }

  it('a request the HTTP parser rejects still gets the JSON error shape', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.write('PUT /v1/files/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n') })
      let text = ''
      socket.on('data', (d: Buffer) => { text += d.toString() })
      socket.on('end', () => { resolve(text) })
      socket.on('error', reject)
    })
    assert.match(reply, /^HTTP\/1\.1 400 /)
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }
    assert.equal(body.error.code, 'INVALID_ARGUMENT')
    assert.equal(t.files.putCalls.length, 0)
  })

  it('a client that disconnects mid-upload aborts putFile and nothing is stored', async () => {
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/v1/files/partial', headers: { 'content-length': '1000000' } })
    req.on('error', () => {})
    req.write(Buffer.alloc(1000, 1))
    await new Promise((resolve) => setTimeout(resolve, 100))
    req.destroy()
    const deadline = Date.now() + 5000
    while (t.files.putCalls.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(t.files.putCalls.length, 1)
    assert.equal(t.files.putCalls[0]?.aborted, true)
    assert.ok((t.files.putCalls[0]?.bytes ?? 0) < 1000000)
    assert.equal(t.files.files.size, 0)
  })

  it('corruption found mid-download ends the body short of Content-Length', async () => {
    await rawRequest(port, 'PUT', '/v1/files/abc', 'abcdefghijklmnopqrstuvwxyz')
    t.files.corruptChunkIndex = 2
    const res = await rawRequest(port, 'GET', '/v1/files/abc')
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], '26')
    assert.equal(res.complete, false)
    assert.ok(res.body.length < 26)
    assert.equal(res.body.toString(), 'abcdefghijklmnopqrstuvwxyz'.slice(0, res.body.length))
  })
})

describe('API over a real socket: clients that go quiet', function () {
  this.timeout(20_000)
  const idleMs = 400
  let t: TestApp
  let port: number
  beforeEach(async () => {
    t = makeTestApp({ clientIdleTimeoutMs: idleMs, maxFileSizeBytes: 64 * 1024 * 1024 })
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterEach(async () => { await t.app.close() })

  async function putCallSettled (): Promise<void> {
    const deadline = Date.now() + 10_000
    while (t.files.putCalls.length === 0 && Date.now() < deadline) await sleep(10)
  }

  it('cuts an upload whose client sends nothing more, once the idle timeout has passed', async () => {
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/v1/files/quiet', headers: { 'content-length': '1000000' } })
    req.on('error', () => {})
    req.write(Buffer.alloc(1000, 1))
    const silentFromMs = performance.now()
    await putCallSettled()
    const cutAfterMs = performance.now() - silentFromMs
    req.destroy()
    assert.equal(t.files.putCalls[0]?.aborted, true)
    assert.equal(t.files.putCalls[0]?.bytes, 1000)
    assert.ok(cutAfterMs >= idleMs - 20 && cutAfterMs < idleMs * 4, `cut after ${Math.round(cutAfterMs)} ms`)
    assert.equal(t.files.files.size, 0)
  })

  it('keeps an upload whose client pauses for just under the idle timeout each time', async () => {
    const pieces = 5
    const res = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/v1/files/slow', headers: { 'content-length': String(pieces * 100) } }, (response) => {
        const got: Buffer[] = []
        response.on('data', (d: Buffer) => got.push(d))
        response.on('end', () => { resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(got), complete: response.complete }) })
      })
      req.on('error', reject)
      void (async () => {
        for (let i = 0; i < pieces; i++) {
          req.write(Buffer.alloc(100, i))
          if (i < pieces - 1) await sleep(idleMs * 0.7)
        }
        req.end()
      })()
    })
    assert.equal(res.status, 201, res.body.toString())
    assert.equal(t.files.files.size, 1)
  })

  it('does not count time the store spends on bytes the client has already sent', async () => {
    t.files.putPullDelayMs = idleMs * 2
    const res = await rawRequest(port, 'PUT', '/v1/files/busy-store', 'x'.repeat(150_000))
    assert.equal(res.status, 201, res.body.toString())
  })

  it('cuts a download whose client stops reading; a finished one\'s keep-alive connection outlives that deadline', async () => {
    t.files.readPieceBytes = 64 * 1024
    const size = 48 * 1024 * 1024
    const put = await rawRequest(port, 'PUT', '/v1/files/big', 'y'.repeat(size))
    assert.equal(put.status, 201)
    const connections = async (): Promise<number> => await new Promise((resolve, reject) => {
      t.app.server.getConnections((err, count) => { if (err !== null) reject(err); else resolve(count) })
    })
    let receivedBytes = 0
    let stoppedAtMs = 0
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/v1/files/big' }, resolve)
      req.on('error', reject)
      req.end()
    })
    const ended = new Promise<void>((resolve) => { response.on('close', resolve) })
    response.on('error', () => {})
    response.on('data', (d: Buffer) => {
      receivedBytes += d.byteLength
      if (stoppedAtMs === 0) {
        // a paused client does not read, so it cannot see the server go; the server's count of connections can
        response.pause()
        stoppedAtMs = performance.now()
      }
    })
    const deadline = Date.now() + 10_000
    while (stoppedAtMs === 0 || (await connections() > 0 && Date.now() < deadline)) await sleep(10)
    const closedAfterMs = performance.now() - stoppedAtMs
    assert.equal(await connections(), 0, 'the server kept the stalled download\'s connection')
    assert.ok(closedAfterMs >= idleMs - 20, `closed after ${Math.round(closedAfterMs)} ms`)
    response.resume()
    await ended
    assert.ok(receivedBytes < size, `received ${receivedBytes} of ${size}`)

    // one connection: a small download, a pause past the idle timeout, then another request
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const get = async (): Promise<number> => await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/v1/files/slow-small', agent }, (res) => { res.resume(); res.on('end', () => { resolve(res.statusCode ?? 0) }) }).on('error', reject)
      })
      await rawRequest(port, 'PUT', '/v1/files/slow-small', 'z'.repeat(1000))
      assert.equal(await get(), 200)
      const closed = new Promise<boolean>((resolve) => {
        const socket = Object.values(agent.freeSockets).flat()[0]
        if (socket === undefined) resolve(true)
        else { socket.once('close', () => { resolve(true) }); setTimeout(() => { resolve(false) }, idleMs * 3) }
      })
      assert.equal(await closed, false, 'the idle keep-alive connection was cut by the download deadline')
      assert.equal(await get(), 200)
    } finally {
      agent.destroy()
    }
  })
})

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
