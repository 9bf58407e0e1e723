// End to end: the real CLI's failures are one clear line on stderr with the documented exit
// code (1 operating error, 2 usage error): every command with the daemon down, a missing
// remote or local file, bad paths, bad flags, invalid daemon configuration; --json errors are
// JSON; --help shows examples for every command and --version the package version.
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { freePort } from '../helpers/free-port.js'
import { repoRoot } from '../helpers/repo-root.js'
import { runCli } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const COMMANDS = ['daemon', 'put', 'get', 'ls', 'rm', 'stat', 'status', 'gc', 'id', 'voters', 'voters add', 'voters remove', 'cluster', 'cluster up', 'cluster down', 'cluster status']

const VALID_PEER_ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

function oneLine (stderr: string): string {
  const lines = stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`)
  return lines[0] as string
}

describe('e2e: CLI errors and help', function () {
  this.timeout(60_000)
  let dir: string
  before(async () => { dir = await makeTempDir('e2e-cli') })
  after(async () => { await removeTempDir(dir) })

  it('every client command reports an unreachable daemon with exit 1', async () => {
    const port = await freePort()
    const apiUrl = `http://127.0.0.1:${port}`
    const local = path.join(dir, 'x.txt')
    await import('node:fs/promises').then(async (fs) => { await fs.writeFile(local, 'x') })
    const runs = await Promise.all([['put', local], ['get', '/x.txt', '-'], ['ls'], ['rm', '/x'], ['stat', '/x'], ['status'], ['gc'], ['id'], ['voters'], ['voters', 'add', VALID_PEER_ID]]
      .map(async (args) => await runCli(args, { apiUrl, cwd: dir })))
    for (const res of runs) {
      assert.equal(res.code, 1)
      assert.equal(oneLine(res.stderr), `jadfs: cannot reach the JaDFS daemon at ${apiUrl}: connection refused — is \`jadfs daemon\` running? (DAEMON_UNREACHABLE)`)
    }
    const viaFlag = await runCli(['status', '--api', apiUrl, '--json'], { env: { JADFS_API: 'http://127.0.0.1:9' } })
    assert.equal(viaFlag.code, 1)
    assert.equal((JSON.parse(viaFlag.stderr) as { error: { code: string } }).error.code, 'DAEMON_UNREACHABLE')
    assert.match(viaFlag.stderr, new RegExp(String(port)))
  })

  it('usage errors exit 2', async () => {
    const cases: string[][] = [
      ['frobnicate'],
      ['put'],
      ['put', 'a', 'b', 'c'],
      ['put', '-'],
      ['put', 'x', '--chunk-size', 'huge'],
      ['put', 'x', '--mode', 'sometimes'],
      ['put', 'x', '--replication', 'two'],
      ['get', '/x', '-', '--range', '5'],
      ['ls', '--api', 'not a url'],
      ['status', '--timeout', 'never'],
      ['ls', '--bogus'],
      ['voters', 'add', 'not-a-peer'],
      ['voters', 'remove'],
      ['voters', 'promote', VALID_PEER_ID],
      ['id', '--data-dir']
    ]
    const results = await Promise.all(cases.map(async (args) => await runCli(args, { apiUrl: 'http://127.0.0.1:9', cwd: dir })))
    results.forEach((res, i) => {
      assert.equal(res.code, 2, `${cases[i]?.join(' ')}: ${res.stderr}`)
      assert.ok(res.stderr.length > 0)
    })
  })

  it('the daemon rejects invalid configuration with one line and exit 2', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--chunk-size', '1KiB'], {}, /invalid --chunk-size: "1KiB": expected a size from 64KiB to 256MiB/],
      [['--api-listen', 'nowhere'], {}, /invalid --api-listen: "nowhere": expected HOST:PORT/],
      [[], { JADFS_LOG_LEVEL: 'chatty' }, /invalid JADFS_LOG_LEVEL \(for --log-level\): "chatty"/],
      [['--gc-grace', 'a while'], {}, /invalid --gc-grace/]
    ]
    for (const [args, env, message] of cases) {
      const res = await runCli(['daemon', '--data-dir', path.join(dir, 'never'), ...args], { env })
      assert.equal(res.code, 2, res.stderr)
      assert.match(oneLine(res.stderr), message)
      assert.match(res.stderr, /\(INVALID_CONFIG\)/)
    }
  })

  it('every command has --help with examples, and --version prints the version', async () => {
    const helps = await Promise.all(COMMANDS.map(async (command) => await runCli([...command.split(' '), '--help'])))
    for (const [i, command] of COMMANDS.entries()) {
      const res = helps[i] as Awaited<ReturnType<typeof runCli>>
      assert.equal(res.code, 0)
      assert.match(res.stdout.toString(), new RegExp(`Usage: jadfs ${command}`))
      assert.match(res.stdout.toString(), /Examples:\n {2}\$ jadfs /)
    }
    const top = await runCli(['--help'])
    assert.match(top.stdout.toString(), /Exit codes: 0 ok, 1 operating error/)
    const version = await runCli(['--version'])
    assert.equal(version.code, 0)
    const pkg = JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }
    assert.equal(version.stdout.toString().trim(), pkg.version)
  })

  describe('against a running daemon', () => {
    let daemon: DaemonProcess
    before(async () => { daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--log-level', 'warn'] }) })
    after(async () => { await daemon?.stop() })

    it('a missing remote file is exit 1 FILE_NOT_FOUND, and get leaves no local file', async () => {
      for (const args of [['get', '/missing.txt'], ['stat', '/missing.txt'], ['rm', '/missing.txt']]) {
        const res = await runCli(args, { apiUrl: daemon.apiUrl, cwd: dir })
        assert.equal(res.code, 1)
        assert.match(oneLine(res.stderr), /^jadfs: .*\/missing\.txt.*\(FILE_NOT_FOUND\)$/)
      }
      assert.throws(() => readFileSync(path.join(dir, 'missing.txt')))
    })

    it('a missing local file is exit 1', async () => {
      const res = await runCli(['put', path.join(dir, 'nope.bin')], { apiUrl: daemon.apiUrl })
      assert.equal(res.code, 1)
      assert.match(oneLine(res.stderr), /local file .*nope\.bin does not exist/)
    })

    it('bad remote paths are exit 2 INVALID_PATH and store nothing', async () => {
      const local = path.join(dir, 'ok.txt')
      await import('node:fs/promises').then(async (fs) => { await fs.writeFile(local, 'ok') })
      const remotes = ['/a/../b', '../etc/passwd', '/a//b', '/a/./b', '/nul\u0001here']
      const results = await Promise.all(remotes.map(async (remote) => await runCli(['put', local, remote], { apiUrl: daemon.apiUrl })))
      results.forEach((res, i) => {
        assert.equal(res.code, 2, `${remotes[i]}: ${res.stderr}`)
        assert.match(oneLine(res.stderr), /\(INVALID_PATH\)$/)
      })
      const ls = await runCli(['ls', '--json'], { apiUrl: daemon.apiUrl })
      assert.deepEqual(JSON.parse(ls.stdout.toString()), [])
    })

    it('errors are JSON on stderr with --json', async () => {
      const res = await runCli(['stat', '/missing', '--json'], { apiUrl: daemon.apiUrl })
      assert.equal(res.code, 1)
      assert.deepEqual(Object.keys((JSON.parse(res.stderr) as { error: object }).error), ['code', 'message'])
    })
  })
})
