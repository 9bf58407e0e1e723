// End to end with the real daemon process and the real CLI as child processes: a 100 MB
// pseudo-random file goes up with `jadfs put` and comes back with `jadfs get` byte-identical
// (SHA-256 compared, no partial file left beside it, none either when interrupted with
// SIGINT); get into a directory; stdin put and stdout get; range reads
// through HTTP (206, Content-Range, 416) and `jadfs get --range`; ls, stat and rm.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FileRecord } from '../../src/files/file-service.js'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { jadfsBin } from '../helpers/repo-root.js'
import { sha256File, writeRandomFile } from '../helpers/random-file.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const BIG_BYTES = 100 * 1000 * 1000

describe('e2e: round trips through the daemon and the CLI', function () {
  this.timeout(120_000)
  let dir: string
  let daemon: DaemonProcess
  const cli = async (...args: string[]) => await runCliOk(args, { apiUrl: daemon.apiUrl, cwd: dir })

  before(async () => {
    dir = await makeTempDir('e2e-rt')
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--chunk-size', '1MiB', '--log-level', 'warn'] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('100 MB put then get is byte-identical', async () => {
    const local = path.join(dir, 'big.bin')
    const sha = await writeRandomFile(local, BIG_BYTES)
    const put = await cli('put', local, '/big/big.bin', '--json')
    const record = JSON.parse(put.stdout.toString()) as FileRecord
    assert.equal(record.sizeBytes, BIG_BYTES)
    assert.equal(record.sha256, sha)
    assert.equal(record.chunks.length, Math.ceil(BIG_BYTES / (1024 * 1024)))
    await cli('get', '/big/big.bin', 'out-big.bin')
    assert.equal(await sha256File(path.join(dir, 'out-big.bin')), sha)
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('jadfs-partial')), [])
  })

  it('Ctrl-C during get stops with exit 130 and leaves no partial file', async () => {
    const outDir = path.join(dir, 'interrupted')
    await mkdir(outDir)
    const child = spawn(process.execPath, [jadfsBin(), 'get', '/big/big.bin', path.join(outDir, 'big.bin')], { env: { ...process.env, JADFS_API: daemon.apiUrl }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
    const deadline = Date.now() + 20_000
    while ((await readdir(outDir)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal((await readdir(outDir)).length, 1, 'the temporary file appeared while downloading')
    child.kill('SIGINT')
    assert.equal(await exited, 130, stderr)
    assert.match(stderr, /interrupted; no local file was written \(INTERRUPTED\)/)
    assert.deepEqual(await readdir(outDir), [])
  })

  it('get into an existing directory uses the remote name', async () => {
    const outDir = path.join(dir, 'into')
    await mkdir(outDir)
    await runCliOk(['put', '-', '/named/into.txt'], { apiUrl: daemon.apiUrl, stdin: 'into a dir' })
    await cli('get', '/named/into.txt', 'into')
    assert.equal(await readFile(path.join(outDir, 'into.txt'), 'utf8'), 'into a dir')
  })

  it('get without LOCAL writes the basename into the working directory', async () => {
    const res = await runCli(['put', '-', '/named/hello.txt'], { apiUrl: daemon.apiUrl, stdin: 'hello, named\n' })
    assert.equal(res.code, 0, res.stderr)
    await cli('get', '/named/hello.txt')
    assert.equal(await readFile(path.join(dir, 'hello.txt'), 'utf8'), 'hello, named\n')
  })

  it('put - reads stdin and get REMOTE - writes stdout, byte for byte', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff
    const put = await runCli(['put', '-', '/pipes/data.bin'], { apiUrl: daemon.apiUrl, stdin: bytes })
    assert.equal(put.code, 0, put.stderr)
    assert.equal(put.stderr, '', 'no progress bar or noise when stderr is not a terminal')
    const get = await runCliOk(['get', '/pipes/data.bin', '-'], { apiUrl: daemon.apiUrl })
    assert.equal(get.stdout.length, bytes.length)
    assert.ok(get.stdout.equals(bytes))
    assert.equal(get.stderr, '')
  })

  it('serves ranges over HTTP and through get --range', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024 + 100)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff
    await runCliOk(['put', '-', '/ranges/r.bin'], { apiUrl: daemon.apiUrl, stdin: bytes })
    // A range crossing the first chunk boundary (1 MiB).
    const start = 1024 * 1024 - 10
    const end = 1024 * 1024 + 9
    const res = await fetch(`${daemon.apiUrl}/v1/files/ranges/r.bin`, { headers: { range: `bytes=${start}-${end}` } })
    assert.equal(res.status, 206)
    assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${bytes.length}`)
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)))
    const tail = await runCliOk(['get', '/ranges/r.bin', '-', '--range', '-100'], { apiUrl: daemon.apiUrl })
    assert.ok(tail.stdout.equals(bytes.subarray(bytes.length - 100)))
    const bad = await fetch(`${daemon.apiUrl}/v1/files/ranges/r.bin`, { headers: { range: `bytes=${bytes.length}-` } })
    assert.equal(bad.status, 416)
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_RANGE')
    const cliBad = await runCli(['get', '/ranges/r.bin', '-', '--range', `${bytes.length + 5}-`], { apiUrl: daemon.apiUrl })
    assert.equal(cliBad.code, 2)
    assert.match(cliBad.stderr, /INVALID_RANGE/)
  })

  it('HEAD and ETag/If-None-Match work against the real store', async () => {
    await runCliOk(['put', '-', '/etag/e.txt'], { apiUrl: daemon.apiUrl, stdin: 'etag me' })
    const head = await fetch(`${daemon.apiUrl}/v1/files/etag/e.txt`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('content-length'), '7')
    const etag = head.headers.get('etag') as string
    assert.equal(etag, `"1-${createHash('sha256').update('etag me').digest('hex')}"`)
    const cached = await fetch(`${daemon.apiUrl}/v1/files/etag/e.txt`, { headers: { 'if-none-match': etag } })
    assert.equal(cached.status, 304)
  })

  it('ls, stat and rm show and remove files', async () => {
    await runCliOk(['put', '-', '/listing/a'], { apiUrl: daemon.apiUrl, stdin: 'a' })
    await runCliOk(['put', '-', '/listing/b'], { apiUrl: daemon.apiUrl, stdin: 'bb' })
    const ls = await cli('ls', '/listing/')
    const lines = ls.stdout.toString().trim().split('\n')
    assert.match(lines[0] ?? '', /SIZE\s+MODIFIED\s+PATH/)
    assert.deepEqual(lines.slice(1).map((l) => l.trim().split(/\s+/).pop()), ['/listing/a', '/listing/b'])
    const stat = JSON.parse((await cli('stat', '/listing/b', '--json')).stdout.toString()) as FileRecord
    assert.equal(stat.sizeBytes, 2)
    await cli('rm', '/listing/a')
    const after = JSON.parse((await cli('ls', '/listing/', '--json')).stdout.toString()) as FileRecord[]
    assert.deepEqual(after.map((f) => f.path), ['/listing/b'])
  })
})
