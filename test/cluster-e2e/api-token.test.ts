// An API behind a token: real daemons started by the harness with --api-token-file (made by
// `jadfs api-token`). Checks that the harness still sees the cluster form (its own requests
// carry the token), that the API refuses a request without the token or with another one
// (401 UNAUTHORIZED) while /v1/health answers anyone, that the real CLI given the token file
// (flag or variable) puts a file through one peer and gets it byte-identical through the
// other and `cluster status` finds the leader, and that a daemon given an unusable token
// file exits with code 2 naming the problem, having written nothing to its data dir.
import { strict as assert } from 'node:assert'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startLocalCluster, type LocalCluster } from '../../src/harness/local-cluster.js'
import { TEST_DAEMON_ARGS, patternBytes } from '../helpers/cluster-http.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('cluster: an API that requires a token', function () {
  this.timeout(120_000)
  let dir: string
  let tokenFile: string
  let cluster: LocalCluster | undefined

  before(async () => {
    dir = await makeTempDir('api-token-cluster')
    tokenFile = path.join(dir, 'api.token')
    await runCliOk(['api-token', tokenFile])
    cluster = await startLocalCluster({ nodes: 2, dir: path.join(dir, 'c'), daemonArgs: [...TEST_DAEMON_ARGS, '--api-token-file', tokenFile] })
  })
  after(async () => {
    await cluster?.stop()
    await removeTempDir(dir)
  })

  it('refuses requests without the token or with another one; /v1/health answers anyone', async () => {
    const apiUrl = (cluster as LocalCluster).nodes[0]!.apiUrl
    const bare = await fetch(`${apiUrl}/v1/files`)
    assert.equal(bare.status, 401)
    assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED')
    const other = await fetch(`${apiUrl}/v1/cluster`, { headers: { authorization: 'Bearer not-the-token-of-this-cluster' } })
    assert.equal(other.status, 401)
    const token = (await readFile(tokenFile, 'utf8')).trim()
    assert.equal((await fetch(`${apiUrl}/v1/cluster`, { headers: { authorization: `Bearer ${token}` } })).status, 200)
    assert.equal((await fetch(`${apiUrl}/v1/health`)).status, 200)
  })

  it('the CLI with the token file puts through one peer and gets through the other', async () => {
    const first = (cluster as LocalCluster).nodes[0]!
    const second = (cluster as LocalCluster).nodes[1]!
    const bytes = patternBytes(300 * 1024, 3)
    const refused = await runCli(['put', '-', '/t.bin'], { apiUrl: first.apiUrl, stdin: bytes })
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /requires an API token.*\(UNAUTHORIZED\)/)
    await runCliOk(['put', '-', '/t.bin', '--api-token-file', tokenFile], { apiUrl: first.apiUrl, stdin: bytes })
    const got = await runCli(['get', '/t.bin', '-'], { apiUrl: second.apiUrl, env: { JADFS_API_TOKEN_FILE: tokenFile } })
    assert.equal(got.code, 0, got.stderr)
    assert.ok(got.stdout.equals(bytes), 'bytes through the second peer differ')
    const status = await runCli(['cluster', 'status', '--dir', path.join(dir, 'c'), '--api-token-file', tokenFile])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout.toString(), /leader/)
    assert.doesNotMatch(status.stdout.toString(), /HTTP 401/)
  })

  it('a daemon given an unusable token file exits with code 2 naming the problem', async () => {
    const bad = path.join(dir, 'short.token')
    await writeFile(bad, 'short\n')
    const res = await runCli(['daemon', '--data-dir', path.join(dir, 'bad'), '--api-listen', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', '--api-token-file', bad])
    assert.equal(res.code, 2)
    assert.match(res.stderr, /API token .*short\.token is not usable: 5 characters, at least 16 are needed.*\(INVALID_CONFIG\)/)
    assert.deepEqual(await readdir(path.join(dir, 'bad')).catch(() => []), [], 'the refused start wrote to its data dir')
  })
})
