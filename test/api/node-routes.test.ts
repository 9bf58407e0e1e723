// Checks the non-file routes with app.inject(): chunks (bytes, INVALID_CID, CHUNK_NOT_FOUND),
// status, health, gc, Prometheus metrics (request counts by route and status, bytes in/out,
// status gauges), unknown routes in the error shape, unexpected errors as 500 INTERNAL with
// no internals leaked, and SHUTTING_DOWN once the app is closing.
import { strict as assert } from 'node:assert'
import type { FileRecord, NodeStatus } from '../../src/files/file-service.js'
import { makeTestApp, type TestApp } from './make-app.js'

describe('API node routes (inject)', () => {
  let t: TestApp
  beforeEach(() => { t = makeTestApp() })
  afterEach(async () => { await t.app.close() })

  it('GET /v1/chunks/<cid> serves the chunk bytes with its length', async () => {
    const record = (await t.app.inject({ method: 'PUT', url: '/v1/files/c', payload: 'chunky' })).json() as FileRecord
    const cid = record.chunks[0]?.cid as string
    const res = await t.app.inject({ method: 'GET', url: `/v1/chunks/${cid}` })
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, 'chunky')
    assert.equal(res.headers['content-length'], '6')
    assert.equal(res.headers.etag, `"${cid}"`)
  })

  it('invalid and unknown CIDs get 400 INVALID_CID and 404 CHUNK_NOT_FOUND', async () => {
    for (const bad of ['not-a-cid', 'Qm' + 'a'.repeat(44), '%00', '%E0%A4%A', '']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/chunks/${bad}` })
      assert.equal(res.statusCode, 400, bad)
      assert.equal((res.json() as { error: { code: string } }).error.code, 'INVALID_CID')
    }
    const missing = await t.app.inject({ method: 'GET', url: `/v1/chunks/b${'a'.repeat(58)}` })
    assert.equal(missing.statusCode, 404)
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'CHUNK_NOT_FOUND')
  })

  it('GET /v1/status returns the node status', async () => {
    await t.app.inject({ method: 'PUT', url: '/v1/files/s', payload: 'status' })
    const res = await t.app.inject({ method: 'GET', url: '/v1/status' })
    assert.equal(res.statusCode, 200)
    const status = res.json() as NodeStatus
    assert.equal(status.files, 1)
    assert.equal(status.logicalBytes, 6)
  })

  it('GET /v1/health is ok; POST /v1/gc runs a collection and returns its report', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/v1/health' })
    assert.deepEqual(health.json(), { status: 'ok' })
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/health' })
    assert.equal(head.statusCode, 200)
    assert.equal(head.body, '')
    const gc = await t.app.inject({ method: 'POST', url: '/v1/gc' })
    assert.equal(gc.statusCode, 200)
    assert.deepEqual(gc.json(), { chunksRemoved: 2, cachedEvicted: 1, bytesFreed: 10, tempFilesRemoved: 1, durationMs: 3 })
    assert.equal(t.files.gcCalls, 1)
  })

  it('GET /metrics exposes request counts by route and status, bytes moved and status gauges', async () => {
    const { registerStatusGauges } = await import('../../src/metrics/status-gauges.js')
    registerStatusGauges(t.registry, t.files)
    await t.app.inject({ method: 'PUT', url: '/v1/files/m', payload: 'metric' })
    await t.app.inject({ method: 'GET', url: '/v1/files/m' })
    await t.app.inject({ method: 'GET', url: '/v1/files/absent' })
    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    assert.equal(res.statusCode, 200)
    assert.match(res.headers['content-type'] as string, /^text\/plain/)
    assert.match(res.body, /jadfs_http_requests_total\{method="PUT",route="\/v1\/files\/\*",status="201"\} 1/)
    assert.match(res.body, /jadfs_http_requests_total\{method="GET",route="\/v1\/files\/\*",status="404"\} 1/)
    assert.match(res.body, /jadfs_http_request_duration_seconds_count\{method="GET",route="\/v1\/files\/\*",status="200"\} 1/)
    assert.match(res.body, /jadfs_http_received_bytes_total 6/)
    assert.match(res.body, /jadfs_http_sent_bytes_total 6/)
    assert.match(res.body, /jadfs_files 1/)
    assert.match(res.body, /jadfs_logical_bytes 6/)
  })

  it('unknown routes and methods are 404 ROUTE_NOT_FOUND in the error shape', async () => {
    for (const [method, url] of [['GET', '/nope'], ['POST', '/v1/files/x'], ['GET', '/v2/files/x']] as const) {
      const res = await t.app.inject({ method, url })
      assert.equal(res.statusCode, 404)
      assert.equal((res.json() as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND')
    }
  })

  it('an unexpected failure is 500 INTERNAL without its message or stack', async () => {
    t.files.status = async () => { throw new Error('secret detail at /etc/shadow') }
    const res = await t.app.inject({ method: 'GET', url: '/v1/status' })
    assert.equal(res.statusCode, 500)
    const body = res.json() as { error: { code: string, message: string } }
    assert.equal(body.error.code, 'INTERNAL')
    assert.doesNotMatch(res.body, /secret|shadow|at /)
  })

  it('answers 503 SHUTTING_DOWN to requests that arrive while the app is closing', async () => {
    await t.app.ready()
    // preClose hooks run first in close(); run them and probe before the server is gone.
    const closing = t.app.close()
    const res = await t.app.inject({ method: 'GET', url: '/v1/health' }).catch((err: unknown) => err)
    await closing
    if (res instanceof Error) {
      // inject() on a closed instance is refused outright, which also means no new work.
      assert.match(res.message, /close|closed/i)
    } else {
      const r = res as { statusCode: number, json: () => { error: { code: string } } }
      assert.equal(r.statusCode, 503)
      assert.equal(r.json().error.code, 'SHUTTING_DOWN')
    }
  })
})
