// Checks the cluster flags of the file commands against a fake API: --stale adds stale=1 to the
// query of get (also on the range request get makes to diagnose a short body), ls (every page)
// and stat; --allow-fewer adds allowFewer=1 to put; without the flags neither parameter is sent.
// put --replication takes exactly MAX_REPLICATION_FACTOR (the daemon's own bound) and refuses
// one more before sending anything.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FileRecord } from '../../src/files/file-service.js'
import { MAX_REPLICATION_FACTOR } from '../../src/files/replication-limit.js'
import { startFakeApi, type FakeApi, type FakeRequest, type FakeReply } from '../helpers/fake-api.js'
import { runMain } from '../helpers/run-main.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const CONTENT = 'hello, cluster\n'

function record (filePath: string, body: Buffer | string): FileRecord {
  const bytes = Buffer.from(body)
  return {
    path: filePath,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    chunkSizeBytes: 65536,
    chunks: [],
    replication: { factor: 3, mode: 'sync' },
    createdAtMs: 0,
    modifiedAtMs: 0,
    version: 1
  }
}

/** a daemon holding /a.txt, listing it over two pages, and storing whatever is put */
function daemon (req: FakeRequest): FakeReply | undefined {
  const url = new URL(req.url, 'http://x')
  if (req.method === 'PUT') return { status: 201, json: record(url.pathname.replace('/v1/files', ''), req.body) }
  if (url.pathname === '/v1/files/a.txt' && url.searchParams.has('meta')) return { json: record('/a.txt', CONTENT) }
  if (url.pathname === '/v1/files/a.txt') {
    return { body: CONTENT, headers: { 'content-length': String(CONTENT.length), 'x-jadfs-sha256': record('/a.txt', CONTENT).sha256 } }
  }
  if (url.pathname === '/v1/files') {
    return url.searchParams.get('cursor') === null
      ? { json: { files: [record('/a.txt', CONTENT)], nextCursor: 'page2' } }
      : { json: { files: [record('/b.txt', CONTENT)] } }
  }
  return undefined
}

describe('CLI: --stale and --allow-fewer against a fake API', () => {
  let dir: string
  let api: FakeApi
  const queries = (): Array<Record<string, string>> => api.requests.map((r) => Object.fromEntries(new URL(r.url, 'http://x').searchParams))

  before(async () => {
    dir = await makeTempDir('cluster-flags')
    await writeFile(path.join(dir, 'up.txt'), CONTENT)
  })
  beforeEach(async () => { api = await startFakeApi(daemon) })
  afterEach(async () => { await api.close() })
  after(async () => { await removeTempDir(dir) })

  it('get --stale asks for stale=1, and plain get does not', async () => {
    const stale = await runMain(['get', '/a.txt', '-', '--stale'], { api: api.url })
    assert.equal(stale.code, 0, stale.stderr)
    assert.equal(stale.stdout, CONTENT)
    const plain = await runMain(['get', '/a.txt', '-'], { api: api.url })
    assert.equal(plain.code, 0, plain.stderr)
    assert.deepEqual(queries(), [{ stale: '1' }, {}])
  })

  it('get --stale keeps stale=1 on the range request that diagnoses a short body', async () => {
    await api.close()
    let calls = 0
    api = await startFakeApi((req) => {
      calls++
      // Announces the whole file but sends half of it, then answers the follow-up range request.
      if (calls === 1) return { body: CONTENT.slice(0, 5), headers: { 'content-length': String(CONTENT.length), 'x-jadfs-sha256': '0'.repeat(64) }, cut: true }
      return { status: 500, json: { error: { code: 'CHUNK_CORRUPT', message: `chunk of ${new URL(req.url, 'http://x').pathname} is corrupt` } } }
    })
    const res = await runMain(['get', '/a.txt', '-', '--stale'], { api: api.url })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /\(CHUNK_CORRUPT\)\n$/)
    assert.equal(api.requests.length, 2)
    assert.deepEqual(queries(), [{ stale: '1' }, { stale: '1' }])
    assert.equal(api.requests[1]?.headers.range, 'bytes=5-')
  })

  it('ls --stale sends stale=1 on every page', async () => {
    const res = await runMain(['ls', '--stale', '--json'], { api: api.url })
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual((JSON.parse(res.stdout) as FileRecord[]).map((f) => f.path), ['/a.txt', '/b.txt'])
    assert.deepEqual(queries().map((q) => q.stale), ['1', '1'])
    await runMain(['ls'], { api: api.url })
    assert.deepEqual(queries().slice(2).map((q) => q.stale), [undefined, undefined])
  })

  it('stat --stale asks for ?meta&stale=1', async () => {
    const res = await runMain(['stat', '/a.txt', '--stale'], { api: api.url })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(api.requests[0]?.url, '/v1/files/a.txt?meta&stale=1')
    await runMain(['stat', '/a.txt'], { api: api.url })
    assert.equal(api.requests[1]?.url, '/v1/files/a.txt?meta')
  })

  it('put --allow-fewer sends allowFewer=1 with the other policy parameters', async () => {
    const res = await runMain(['put', path.join(dir, 'up.txt'), '/up.txt', '--allow-fewer', '--replication', '3', '--mode', 'sync'], { api: api.url })
    assert.equal(res.code, 0, res.stderr)
    const plain = await runMain(['put', path.join(dir, 'up.txt'), '/up.txt'], { api: api.url })
    assert.equal(plain.code, 0, plain.stderr)
    assert.deepEqual(queries(), [{ replication: '3', mode: 'sync', allowFewer: '1' }, {}])
  })

  it('put --replication takes exactly MAX_REPLICATION_FACTOR and refuses one more without sending', async () => {
    const over = await runMain(['put', path.join(dir, 'up.txt'), '/up.txt', '--replication', String(MAX_REPLICATION_FACTOR + 1)], { api: api.url })
    assert.equal(over.code, 2, 'a usage error')
    assert.match(over.stderr, /--replication must be a whole number from 1 to 16 \(INVALID_ARGUMENT\)\n$/)
    assert.equal(api.requests.length, 0)
    const top = await runMain(['put', path.join(dir, 'up.txt'), '/up.txt', '--replication', String(MAX_REPLICATION_FACTOR)], { api: api.url })
    assert.equal(top.code, 0, top.stderr)
    assert.deepEqual(queries(), [{ replication: '16' }])
  })
})
