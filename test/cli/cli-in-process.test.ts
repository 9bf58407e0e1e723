// Runs the CLI's main() in this process against a real node (real local file service, API on
// a free port) with captured stdio, to check what child processes cannot show: the progress
// bar is drawn on stderr with bytes and throughput only when stderr is a terminal (and never
// with --no-progress); the idle timeout aborts a daemon that never answers (TIMEOUT, exit 1);
// a server that is not a JaDFS daemon gives a clear error, not a crash.
import { strict as assert } from 'node:assert'
import { readFile, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import { main } from '../../src/cli/main.js'
import type { CliIo } from '../../src/cli/cli-io.js'
import { resolveDaemonConfig } from '../../src/config/daemon-config.js'
import { createLogger } from '../../src/log/logger.js'
import { startJadfsNode, type JadfsNode } from '../../src/node/jadfs-node.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

class Capture extends Writable {
  text = ''
  bytes: Buffer[] = []
  constructor (readonly isTTY: boolean) { super() }
  override _write (chunk: Buffer, _enc: string, done: () => void): void {
    this.bytes.push(chunk)
    this.text += chunk.toString('utf8')
    done()
  }
}

interface Run { code: number, stdout: Capture, stderr: Capture }

async function run (args: string[], options: { tty: boolean, cwd: string, api: string }): Promise<Run> {
  const stdout = new Capture(false)
  const stderr = new Capture(options.tty)
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, env: { JADFS_API: options.api }, cwd: options.cwd }
  const code = await main(['node', 'jadfs', ...args], io)
  return { code, stdout, stderr }
}

describe('CLI in process', function () {
  this.timeout(30_000)
  let dir: string
  let node: JadfsNode
  let local: string

  before(async () => {
    dir = await makeTempDir('cli')
    // port 0 for both: a daemon already running on this machine must not fail the test
    const config = resolveDaemonConfig({ dataDir: 'data', apiListen: '127.0.0.1:0', listen: ['/ip4/127.0.0.1/tcp/0'], chunkSize: '64KiB', logLevel: 'silent' }, {}, dir)
    node = await startJadfsNode(config, { logger: createLogger({ level: 'silent' }), version: 'test' })
    local = path.join(dir, 'payload.bin')
    await writeFile(local, Buffer.alloc(3 * 1024 * 1024, 9))
  })
  after(async () => {
    await node?.stop()
    await removeTempDir(dir)
  })

  it('draws a progress bar with bytes and throughput on a terminal', async () => {
    const put = await run(['put', local, '/p/tty.bin'], { tty: true, cwd: dir, api: node.apiUrl })
    assert.equal(put.code, 0, put.stderr.text)
    assert.match(put.stderr.text, /put \/p\/tty\.bin .*100% \| 3\.00 MiB \/ 3\.00 MiB \| [\d.]+ (B|KiB|MiB|GiB)\/s/)
    const get = await run(['get', '/p/tty.bin', 'back.bin'], { tty: true, cwd: dir, api: node.apiUrl })
    assert.equal(get.code, 0, get.stderr.text)
    assert.match(get.stderr.text, /get \/p\/tty\.bin .*100% \| 3\.00 MiB \/ 3\.00 MiB/)
  })

  it('draws nothing when stderr is not a terminal, or with --no-progress', async () => {
    const piped = await run(['put', local, '/p/piped.bin'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(piped.code, 0)
    assert.equal(piped.stderr.text, '')
    assert.match(piped.stdout.text, /^stored \/p\/piped\.bin {2}3\.00 MiB/)
    const quiet = await run(['put', local, '/p/quiet.bin', '--no-progress'], { tty: true, cwd: dir, api: node.apiUrl })
    assert.equal(quiet.code, 0)
    assert.equal(quiet.stderr.text, '')
    const get = await run(['get', '/p/quiet.bin', '-'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(get.stderr.text, '')
    assert.equal(Buffer.concat(get.stdout.bytes).length, 3 * 1024 * 1024)
  })

  it('gives up with TIMEOUT when the daemon accepts but never answers', async () => {
    const sockets: net.Socket[] = []
    const silent = net.createServer((socket) => { sockets.push(socket) })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    try {
      const startedAtMs = Date.now()
      const res = await run(['status', '--timeout', '300ms'], { tty: false, cwd: dir, api: `http://127.0.0.1:${port}` })
      assert.equal(res.code, 1)
      assert.match(res.stderr.text, /no progress for 300 ms; gave up .*\(TIMEOUT\)\n$/)
      assert.ok(Date.now() - startedAtMs < 5000)
    } finally {
      for (const s of sockets) s.destroy()
      silent.close()
    }
  })

  it('reports a server that is not a JaDFS daemon clearly', async () => {
    const other = http.createServer((_req, res) => { res.statusCode = 502; res.end('<html>bad gateway</html>') })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const port = (other.address() as net.AddressInfo).port
    try {
      const res = await run(['ls'], { tty: false, cwd: dir, api: `http://127.0.0.1:${port}` })
      assert.equal(res.code, 1)
      assert.match(res.stderr.text, /^jadfs: unexpected HTTP 502 from the daemon: <html>bad gateway<\/html> \(INTERNAL\)\n$/)
    } finally {
      other.close()
    }
  })

  it('ls follows the cursors across pages and prints one table', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      assert.equal((await run(['put', local, `/ls/${name}`], { tty: false, cwd: dir, api: node.apiUrl })).code, 0)
    }
    const res = await run(['ls', '/ls/', '--page-size', '2'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(res.code, 0, res.stderr.text)
    const lines = res.stdout.text.trimEnd().split('\n')
    assert.match(lines[0] ?? '', /^\s*SIZE {2}MODIFIED {14}PATH$/)
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).pop()), ['/ls/a', '/ls/b', '/ls/c', '/ls/d', '/ls/e'])
    assert.match(lines[1] ?? '', /^3\.00 MiB {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}\/ls\/a$/)
    const json = await run(['ls', '/ls/', '--page-size', '2', '--json'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal((JSON.parse(json.stdout.text) as unknown[]).length, 5)
    const bad = await run(['ls', '--page-size', '0'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(bad.code, 2)
  })

  it('round-trips an empty file', async () => {
    const empty = path.join(dir, 'empty.txt')
    await writeFile(empty, '')
    const put = await run(['put', empty, '/p/empty.txt', '--json'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(put.code, 0, put.stderr.text)
    assert.equal((JSON.parse(put.stdout.text) as { sizeBytes: number }).sizeBytes, 0)
    const get = await run(['get', '/p/empty.txt', 'empty-back.txt'], { tty: false, cwd: dir, api: node.apiUrl })
    assert.equal(get.code, 0, get.stderr.text)
    assert.equal((await readFile(path.join(dir, 'empty-back.txt'))).length, 0)
  })

  it('put - streams stdin', async () => {
    const stdin = new PassThrough()
    const stdout = new Capture(false)
    const stderr = new Capture(false)
    const done = main(['node', 'jadfs', 'put', '-', '/p/stdin.txt', '--json'], { stdin, stdout, stderr, env: { JADFS_API: node.apiUrl }, cwd: dir })
    stdin.write('first,')
    setTimeout(() => { stdin.end('second') }, 50)
    assert.equal(await done, 0, stderr.text)
    assert.equal((JSON.parse(stdout.text) as { sizeBytes: number }).sizeBytes, 'first,second'.length)
  })
})
