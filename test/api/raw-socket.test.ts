// Checks, over a real socket with node:http (which sends the request target untouched, unlike
// inject() and fetch(), which normalise dot segments), that raw and encoded ".." reach the
// store's path validation and are rejected; that a client disconnecting mid-upload aborts
// putFile and stores nothing; and that corruption found mid-download cuts the body short of
// Content-Length rather than completing it; and that requests Node's parser rejects get the
// JSON error shape too.
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
