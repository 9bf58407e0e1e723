// Checks the API token: the token file's rules at their limits (16 and 512 characters, one
// under and one over refused, printable ASCII only, surrounding whitespace ignored), the
// Authorization check (the token, another one, none, an empty one, the scheme in any case),
// a new token file (owner-only, never overwritten), the token file's size limit at its edge
// (the longest token with whitespace filling exactly MAX_API_TOKEN_FILE_BYTES reads, one byte
// more is refused by its size), a directory given as the token file refused as not a regular
// file (it is read by the small-file reader, whose tests cover FIFOs and /dev/zero), and the API built with a token: every
// route but the liveness probe answers 401 UNAUTHORIZED (saying whether the token was missing
// or wrong, with WWW-Authenticate: Bearer) until the request carries it; built without one,
// nothing is asked.
import { strict as assert } from 'node:assert'
import { readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { MAX_API_TOKEN_CHARS, MAX_API_TOKEN_FILE_BYTES, MIN_API_TOKEN_CHARS, carriesApiToken, parseApiToken, readApiToken, writeNewApiToken } from '../../src/api/api-token.js'
import { isJadfsError } from '../../src/errors.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'
import { makeTestApp } from './make-app.js'

const TOKEN = 'a-token-of-24-characters'
const refused = (text: string): boolean => {
  try {
    parseApiToken(text, 'T', '--api-token-file')
    return false
  } catch (err) {
    return isJadfsError(err, 'INVALID_CONFIG') && /make one with `jadfs api-token FILE`/.test(err.message)
  }
}

describe('API token', () => {
  it('takes 16 to 512 printable characters, surrounding whitespace ignored', () => {
    assert.equal(parseApiToken(`  ${'x'.repeat(MIN_API_TOKEN_CHARS)}\n`, 'T', '--api-token-file'), 'x'.repeat(MIN_API_TOKEN_CHARS))
    assert.ok(refused('x'.repeat(MIN_API_TOKEN_CHARS - 1)))
    assert.equal(parseApiToken('y'.repeat(MAX_API_TOKEN_CHARS), 'T', '--api-token-file').length, MAX_API_TOKEN_CHARS)
    assert.ok(refused('y'.repeat(MAX_API_TOKEN_CHARS + 1)))
    assert.ok(refused('sixteen chars and a space'))
    assert.ok(refused('sixteen-chars-and-é'))
  })

  it('accepts exactly "Bearer <the token>" (the scheme in any case)', () => {
    assert.ok(carriesApiToken(`Bearer ${TOKEN}`, TOKEN))
    assert.ok(carriesApiToken(`bearer ${TOKEN}`, TOKEN))
    assert.ok(!carriesApiToken(`Bearer ${TOKEN}x`, TOKEN))
    assert.ok(!carriesApiToken(`Bearer ${TOKEN.slice(1)}`, TOKEN))
    assert.ok(!carriesApiToken(TOKEN, TOKEN))
    assert.ok(!carriesApiToken(`Basic ${TOKEN}`, TOKEN))
    assert.ok(!carriesApiToken('Bearer ', TOKEN))
    assert.ok(!carriesApiToken(undefined, TOKEN))
  })

  describe('token files', () => {
    let dir: string
    before(async () => { dir = await makeTempDir('api-token') })
    after(async () => { await removeTempDir(dir) })

    it('writes a new random token readable by its owner only, and never overwrites one', async () => {
      const file = path.join(dir, 'token')
      await writeNewApiToken(file)
      const token = readApiToken(file, '--api-token-file')
      assert.ok(token.length >= 40)
      assert.equal((await stat(file)).mode & 0o777, 0o600)
      await assert.rejects(writeNewApiToken(file), (err) => isJadfsError(err, 'INVALID_ARGUMENT') && /never overwritten/.test(err.message))
      assert.equal((await readFile(file, 'utf8')).trim(), token)
      const other = path.join(dir, 'other')
      await writeNewApiToken(other)
      assert.notEqual(readApiToken(other, '--api-token-file'), token)
    })

    it('a missing or oversized file is INVALID_CONFIG naming the option', async () => {
      assert.throws(() => readApiToken(path.join(dir, 'missing'), '--api-token-file'), (err) => isJadfsError(err, 'INVALID_CONFIG') && /cannot read the API token .*missing \(--api-token-file\)/.test(err.message))
      const big = path.join(dir, 'big')
      await writeFile(big, 'z'.repeat(4096))
      assert.throws(() => readApiToken(big, 'JADFS_API_TOKEN_FILE'), (err) => isJadfsError(err, 'INVALID_CONFIG') && /JADFS_API_TOKEN_FILE/.test(err.message))
    })

    // Whitespace around the token is allowed, so the longest token with whitespace filling
    // the rest makes a file only the size check can refuse: at the limit it reads as the
    // token, one byte past it is refused naming its size.
    it('reads a file of exactly MAX_API_TOKEN_FILE_BYTES and refuses one byte more by its size', async () => {
      const token = 'y'.repeat(MAX_API_TOKEN_CHARS)
      const spare = MAX_API_TOKEN_FILE_BYTES - MAX_API_TOKEN_CHARS
      const atLimit = path.join(dir, 'at-limit')
      await writeFile(atLimit, ' '.repeat(spare - 2) + token + '\r\n')
      assert.equal((await stat(atLimit)).size, MAX_API_TOKEN_FILE_BYTES)
      assert.equal(readApiToken(atLimit, '--api-token-file'), token)
      const over = path.join(dir, 'over')
      await writeFile(over, ' '.repeat(spare - 1) + token + '\r\n')
      assert.throws(() => readApiToken(over, '--api-token-file'), (err) => isJadfsError(err, 'INVALID_CONFIG') && err.message.includes(`(--api-token-file): ${MAX_API_TOKEN_FILE_BYTES + 1} bytes, a token file holds one short line`))
    })

    it('refuses a directory as the token file as not a regular file', () => {
      assert.throws(() => readApiToken(dir, '--api-token-file'), (err) => isJadfsError(err, 'INVALID_CONFIG') &&
        err.message === `cannot read the API token ${dir} (--api-token-file): a directory is not a regular file`)
    })
  })

  describe('the API with a token', () => {
    const { app, files } = makeTestApp({ apiToken: TOKEN })
    after(async () => { await app.close() })

    it('refuses every route but /v1/health without the token, saying it is missing', async () => {
      for (const [method, url] of [['GET', '/v1/status'], ['GET', '/v1/files/a'], ['PUT', '/v1/files/a'], ['DELETE', '/v1/files/a'], ['GET', '/v1/files'], ['POST', '/v1/gc'], ['GET', '/metrics'], ['GET', '/no/such/route']] as const) {
        const res = await app.inject({ method, url, ...(method === 'PUT' ? { payload: 'hello' } : {}) })
        assert.equal(res.statusCode, 401, `${method} ${url}`)
        assert.equal(res.json().error.code, 'UNAUTHORIZED')
        assert.match(res.json().error.message, /requires an API token/)
        assert.equal(res.headers['www-authenticate'], 'Bearer')
      }
      assert.equal(files.putCalls.length, 0, 'an unauthorized upload reached the store')
      assert.equal(files.gcCalls, 0)
      const health = await app.inject({ method: 'GET', url: '/v1/health' })
      assert.equal(health.statusCode, 200)
      assert.equal((await app.inject({ method: 'HEAD', url: '/v1/health' })).statusCode, 200)
    })

    it('refuses another token, saying it does not match', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${TOKEN}-but-longer` } })
      assert.equal(res.statusCode, 401)
      assert.match(res.json().error.message, /does not match/)
    })

    it('serves requests that carry it', async () => {
      const put = await app.inject({ method: 'PUT', url: '/v1/files/a', payload: 'hello', headers: { authorization: `Bearer ${TOKEN}` } })
      assert.equal(put.statusCode, 201, put.body)
      const got = await app.inject({ method: 'GET', url: '/v1/files/a', headers: { authorization: `Bearer ${TOKEN}` } })
      assert.equal(got.body, 'hello')
    })
  })

  it('an API built without a token asks for none', async () => {
    const { app } = makeTestApp()
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/v1/status' })).statusCode, 200)
    } finally {
      await app.close()
    }
  })
})
