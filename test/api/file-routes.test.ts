// Checks the file routes of the HTTP API with app.inject() against an in-memory FileService:
// status codes, headers (ETag, Content-Length, Content-Range), bodies, and that every bad
// input gets the {"error":{"code","message"}} shape with the registry's status and stores
// nothing. Raw "..", which inject() would normalise, is checked over a real socket in
// raw-path.test.ts.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import type { FileRecord } from '../../src/files/file-service.js'
import { MAX_REPLICATION_FACTOR } from '../../src/files/replication-limit.js'
import { makeTestApp, type TestApp } from './make-app.js'

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

function assertError (res: { statusCode: number, json: () => unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()))
  const body = res.json() as { error?: { code?: unknown, message?: unknown } }
  assert.equal(body.error?.code, code)
  assert.equal(typeof body.error?.message, 'string')
  assert.ok((body.error?.message as string).length > 0)
}

describe('API file routes (inject)', () => {
  let t: TestApp
  beforeEach(() => { t = makeTestApp() })
  afterEach(async () => { await t.app.close() })

  const put = async (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    await t.app.inject({ method: 'PUT', url, payload, headers })

  describe('PUT', () => {
    it('stores the body and returns 201 with the record, ETag and Location', async () => {
      const res = await put('/v1/files/docs/a.txt', 'hello world', { 'content-type': 'text/plain' })
      assert.equal(res.statusCode, 201)
      const record = res.json() as FileRecord
      assert.equal(record.path, '/docs/a.txt')
      assert.equal(record.sizeBytes, 11)
      assert.equal(record.sha256, sha('hello world'))
      assert.equal(res.headers.etag, `"1-${record.sha256}"`)
      assert.equal(res.headers.location, '/v1/files/docs/a.txt')
      assert.equal(t.files.files.get('/docs/a.txt')?.bytes.toString(), 'hello world')
    })

    it('accepts any content type and no content type, passing the bytes unparsed', async () => {
      const json = '{"not": "parsed"'
      assert.equal((await put('/v1/files/j', json, { 'content-type': 'application/json' })).statusCode, 201)
      assert.equal(t.files.files.get('/j')?.bytes.toString(), json)
      const res = await t.app.inject({ method: 'PUT', url: '/v1/files/raw', payload: Buffer.from([0, 1, 2]) })
      assert.equal(res.statusCode, 201)
      assert.deepEqual([...(t.files.files.get('/raw')?.bytes ?? [])], [0, 1, 2])
    })

    it('stores an empty body as an empty file', async () => {
      const res = await t.app.inject({ method: 'PUT', url: '/v1/files/empty' })
      assert.equal(res.statusCode, 201)
      assert.equal((res.json() as FileRecord).sizeBytes, 0)
    })

    it('passes Content-Length, X-Jadfs-Sha256 and query options to putFile', async () => {
      const res = await put('/v1/files/opt?chunkSize=1MiB&replication=2&mode=async', 'abc', { 'x-jadfs-sha256': sha('abc').toUpperCase() })
      assert.equal(res.statusCode, 201)
      const call = t.files.putCalls[0]
      assert.equal(call?.options.expectedSizeBytes, 3)
      assert.equal(call?.options.expectedSha256, sha('abc'))
      assert.equal(call?.options.chunkSizeBytes, 1024 * 1024)
      assert.deepEqual(call?.options.replication, { factor: 2, mode: 'async' })
      assert.ok(call?.options.signal instanceof AbortSignal)
    })

    it('maps a checksum mismatch to 400 CHECKSUM_MISMATCH and stores nothing', async () => {
      assertError(await put('/v1/files/x', 'abc', { 'x-jadfs-sha256': sha('abd') }), 400, 'CHECKSUM_MISMATCH')
      assert.equal(t.files.files.size, 0)
    })

    it('rejects malformed options with 400 INVALID_ARGUMENT before storing', async () => {
      for (const url of ['/v1/files/x?chunkSize=big', '/v1/files/x?replication=0', '/v1/files/x?replication=1.5',
        '/v1/files/x?replication=17', '/v1/files/x?mode=later', '/v1/files/x?mode=sync&mode=async']) {
        assertError(await put(url, 'abc'), 400, 'INVALID_ARGUMENT')
      }
      assertError(await put('/v1/files/x', 'abc', { 'x-jadfs-sha256': 'xyz' }), 400, 'INVALID_ARGUMENT')
      assertError(await put('/v1/files/x', 'abc', { 'if-match': 'W/"weak"' }), 400, 'INVALID_ARGUMENT')
      assertError(await put('/v1/files/x', 'abc', { 'if-none-match': '"1-abc"' }), 400, 'INVALID_ARGUMENT')
      assert.equal(t.files.putCalls.length, 0)
      // one over the bound the file service shares, said as such
      const over = await put(`/v1/files/x?replication=${MAX_REPLICATION_FACTOR + 1}`, 'abc')
      assert.match((over.json() as { error: { message: string } }).error.message, /replication must be a whole number from 1 to 16/)
      assert.equal(t.files.putCalls.length, 0)
      // the top of the range is taken
      assert.equal((await put(`/v1/files/x?replication=${MAX_REPLICATION_FACTOR}`, 'abc')).statusCode, 201)
      assert.deepEqual(t.files.putCalls[0]?.options.replication, { factor: 16 })
    })

    it('lets the store reject an out-of-range chunk size', async () => {
      assertError(await put('/v1/files/x?chunkSize=1KiB', 'abc'), 400, 'INVALID_ARGUMENT')
    })

    it('replaces only the named version with If-Match, and creates only with If-None-Match: *', async () => {
      const first = await put('/v1/files/cas', 'one')
      const etag = first.headers.etag as string
      const second = await put('/v1/files/cas', 'two', { 'if-match': etag })
      assert.equal(second.statusCode, 201)
      assert.equal((second.json() as FileRecord).version, 2)
      assertError(await put('/v1/files/cas', 'three', { 'if-match': etag }), 412, 'PRECONDITION_FAILED')
      assertError(await put('/v1/files/cas', 'four', { 'if-none-match': '*' }), 412, 'PRECONDITION_FAILED')
      assert.equal(t.files.files.get('/cas')?.bytes.toString(), 'two')
      assert.equal((await put('/v1/files/new', 'x', { 'if-none-match': '*' })).statusCode, 201)
    })

    it('rejects a declared size above the maximum with 413 before reading the body', async () => {
      const small = makeTestApp({ maxFileSizeBytes: 10 })
      try {
        const res = await small.app.inject({ method: 'PUT', url: '/v1/files/big', payload: Buffer.alloc(11) })
        assertError(res, 413, 'PAYLOAD_TOO_LARGE')
        assert.equal(small.files.files.size, 0)
      } finally {
        await small.app.close()
      }
    })

    it('does not cap uploads at Fastify\'s default 1 MiB body limit', async () => {
      const body = Buffer.alloc(3 * 1024 * 1024, 7)
      const res = await put('/v1/files/three-mib', body)
      assert.equal(res.statusCode, 201)
      assert.equal((res.json() as FileRecord).sizeBytes, body.length)
    })
  })

  describe('bad paths', () => {
    const cases: Array<[string, string]> = [
      ['empty path', '/v1/files/'],
      ['encoded slash traversal', '/v1/files/a%2F..%2Fb'],
      ['fully encoded traversal', '/v1/files/%2E%2E%2Fetc%2Fpasswd'],
      ['leading encoded traversal', '/v1/files/..%2Fetc%2Fpasswd'],
      ['lone dot segment via %2F', '/v1/files/a%2F.%2Fb'],
      ['NUL', '/v1/files/a%00b'],
      ['control character', '/v1/files/a%0Ab'],
      ['DEL', '/v1/files/a%7Fb'],
      ['over-long path', '/v1/files/' + 'x'.repeat(5000)],
      ['broken percent-encoding', '/v1/files/a%E0%A4%A'],
      ['double slash', '/v1/files/a%2F%2Fb']
    ]
    for (const [name, url] of cases) {
      it(`${name}: PUT, GET, HEAD, DELETE answer 400 INVALID_PATH and nothing is stored`, async () => {
        assertError(await put(url, 'data'), 400, 'INVALID_PATH')
        assertError(await t.app.inject({ method: 'GET', url }), 400, 'INVALID_PATH')
        assertError(await t.app.inject({ method: 'DELETE', url }), 400, 'INVALID_PATH')
        const head = await t.app.inject({ method: 'HEAD', url })
        assert.equal(head.statusCode, 400)
        assert.equal(t.files.files.size, 0)
      })
    }

    it('hands the percent-decoded path to the store unchanged (no silent normalisation)', async () => {
      await put('/v1/files/a%2F..%2Fb', 'x')
      await put('/v1/files/sp%20ace/%C3%A9', 'x')
      assert.deepEqual(t.files.paths, ['/a/../b', '/sp ace/é'])
      assert.ok(t.files.files.has('/sp ace/é'))
    })
  })

  describe('GET and HEAD', () => {
    let record: FileRecord
    const content = 'abcdefghijklmnopqrstuvwxyz'
    beforeEach(async () => { record = (await put('/v1/files/abc', content)).json() as FileRecord })

    it('streams the whole file with length, ETag and hash headers', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/files/abc' })
      assert.equal(res.statusCode, 200)
      assert.equal(res.body, content)
      assert.equal(res.headers['content-length'], String(content.length))
      assert.equal(res.headers['content-type'], 'application/octet-stream')
      assert.equal(res.headers.etag, `"1-${record.sha256}"`)
      assert.equal(res.headers['x-jadfs-sha256'], record.sha256)
      assert.equal(res.headers['accept-ranges'], 'bytes')
    })

    it('serves ranges with 206 and Content-Range', async () => {
      const cases: Array<[string, string, string]> = [
        ['bytes=0-3', 'abcd', 'bytes 0-3/26'],
        ['bytes=24-', 'yz', 'bytes 24-25/26'],
        ['bytes=-3', 'xyz', 'bytes 23-25/26'],
        ['bytes=5-100', content.slice(5), 'bytes 5-25/26']
      ]
      for (const [range, body, contentRange] of cases) {
        const res = await t.app.inject({ method: 'GET', url: '/v1/files/abc', headers: { range } })
        assert.equal(res.statusCode, 206, range)
        assert.equal(res.body, body, range)
        assert.equal(res.headers['content-range'], contentRange)
        assert.equal(res.headers['content-length'], String(body.length))
      }
    })

    it('answers bad and unsatisfiable ranges with 416 INVALID_RANGE and bytes */size', async () => {
      for (const range of ['bytes=26-', 'bytes=10-5', 'bytes=abc', 'items=0-1', 'bytes=-0', 'bytes=-']) {
        const res = await t.app.inject({ method: 'GET', url: '/v1/files/abc', headers: { range } })
        assertError(res, 416, 'INVALID_RANGE')
        assert.equal(res.headers['content-range'], 'bytes */26', range)
        assert.equal(res.headers.etag, undefined)
      }
    })

    it('answers If-None-Match with 304 when the ETag matches, 200 otherwise', async () => {
      const etag = `"1-${record.sha256}"`
      const hit = await t.app.inject({ method: 'GET', url: '/v1/files/abc', headers: { 'if-none-match': etag } })
      assert.equal(hit.statusCode, 304)
      assert.equal(hit.body, '')
      assert.equal(hit.headers.etag, etag)
      const miss = await t.app.inject({ method: 'GET', url: '/v1/files/abc', headers: { 'if-none-match': `"0-${record.sha256}"` } })
      assert.equal(miss.statusCode, 200)
      assert.equal(miss.body, content)
    })

    it('HEAD gives the headers and Content-Length without a body', async () => {
      const res = await t.app.inject({ method: 'HEAD', url: '/v1/files/abc' })
      assert.equal(res.statusCode, 200)
      assert.equal(res.body, '')
      assert.equal(res.headers['content-length'], '26')
      assert.equal(res.headers.etag, `"1-${record.sha256}"`)
    })

    it('GET ?meta returns the record as JSON', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/files/abc?meta' })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), record)
    })

    it('missing files are 404 FILE_NOT_FOUND on GET, HEAD, ?meta and DELETE', async () => {
      assertError(await t.app.inject({ method: 'GET', url: '/v1/files/nope' }), 404, 'FILE_NOT_FOUND')
      assertError(await t.app.inject({ method: 'GET', url: '/v1/files/nope?meta' }), 404, 'FILE_NOT_FOUND')
      assertError(await t.app.inject({ method: 'DELETE', url: '/v1/files/nope' }), 404, 'FILE_NOT_FOUND')
      assert.equal((await t.app.inject({ method: 'HEAD', url: '/v1/files/nope' })).statusCode, 404)
    })

    it('a corrupt first chunk is a clean 500 CHUNK_CORRUPT, never bytes', async () => {
      t.files.corruptChunkIndex = 0
      const res = await t.app.inject({ method: 'GET', url: '/v1/files/abc' })
      assertError(res, 500, 'CHUNK_CORRUPT')
      assert.equal(res.headers['content-length'], String(res.rawPayload.length))
      assert.equal(res.headers['x-jadfs-sha256'], undefined)
    })

    it('a chunk found corrupt mid-stream destroys the response instead of completing it', async () => {
      t.files.corruptChunkIndex = 2
      await assert.rejects(t.app.inject({ method: 'GET', url: '/v1/files/abc' }), /destroyed/)
    })
  })

  describe('DELETE', () => {
    it('returns 200 with the deleted record and honours If-Match', async () => {
      const created = await put('/v1/files/d', 'bye')
      assertError(await t.app.inject({ method: 'DELETE', url: '/v1/files/d', headers: { 'if-match': `"9-${sha('bye')}"` } }), 412, 'PRECONDITION_FAILED')
      const res = await t.app.inject({ method: 'DELETE', url: '/v1/files/d', headers: { 'if-match': created.headers.etag as string } })
      assert.equal(res.statusCode, 200)
      assert.equal((res.json() as FileRecord).path, '/d')
      assert.equal(t.files.files.size, 0)
    })
  })

  describe('list', () => {
    beforeEach(async () => {
      for (const name of ['a/1', 'a/2', 'a/3', 'b/1', 'c']) await put(`/v1/files/${name}`, name)
    })

    it('lists every file with a default limit', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/files' })
      assert.equal(res.statusCode, 200)
      const body = res.json() as { files: FileRecord[], nextCursor?: string }
      assert.deepEqual(body.files.map((f) => f.path), ['/a/1', '/a/2', '/a/3', '/b/1', '/c'])
      assert.equal(body.nextCursor, undefined)
      assert.equal(t.files.putCalls.length, 5)
    })

    it('pages with limit and cursor, filtered by prefix', async () => {
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const url = '/v1/files?prefix=%2Fa%2F&limit=2' + (cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`)
        const body = (await t.app.inject({ method: 'GET', url })).json() as { files: FileRecord[], nextCursor?: string }
        seen.push(...body.files.map((f) => f.path))
        cursor = body.nextCursor
        pages++
      } while (cursor !== undefined)
      assert.deepEqual(seen, ['/a/1', '/a/2', '/a/3'])
      assert.equal(pages, 2)
    })

    it('rejects bad limits and cursors with 400 INVALID_ARGUMENT', async () => {
      for (const query of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=', 'cursor=', 'cursor=bm9wZQ',
        'limit=1&limit=2', 'cursor=' + 'x'.repeat(9000)]) {
        assertError(await t.app.inject({ method: 'GET', url: `/v1/files?${query}` }), 400, 'INVALID_ARGUMENT')
      }
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/files?limit=1000' })).statusCode, 200)
    })
  })
})
