// One real daemon whose --reserve is larger than any disk here (100 TiB) and whose API token
// file is readable by others. Checks what its operator sees: a warning at start that it stores
// no chunks under the reserve, and one that the token file is readable by others (chmod 600);
// a put through it (the real CLI, with the token) fails with exit 1 and NO_SPACE naming the
// reserve, and stores nothing (no file, no chunk, no temp file).
import { strict as assert } from 'node:assert'
import { chmod, readdir } from 'node:fs/promises'
import path from 'node:path'
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process.js'
import { runCli, runCliOk } from '../helpers/run-cli.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('e2e: a daemon under its reserve, with a token file others can read', function () {
  this.timeout(60_000)
  let dir: string
  let tokenFile: string
  let daemon: DaemonProcess | undefined

  before(async () => {
    dir = await makeTempDir('reserve-warnings')
    tokenFile = path.join(dir, 'api.token')
    await runCliOk(['api-token', tokenFile])
    await chmod(tokenFile, 0o644)
    daemon = await startDaemon({ dataDir: path.join(dir, 'data'), args: ['--reserve', '100TiB', '--api-token-file', tokenFile] })
  })
  after(async () => {
    await daemon?.stop()
    await removeTempDir(dir)
  })

  it('warns at start about the reserve and the token file', async () => {
    const logs = (daemon as DaemonProcess).logs()
    assert.match(logs, /no more than --reserve 100(\.0)? TiB: this peer stores no chunks/)
    assert.match(logs, /the API token file .*api\.token can be read by other users \(mode 644\); chmod 600 it/)
  })

  it('refuses a put with NO_SPACE naming the reserve, storing nothing', async () => {
    const res = await runCli(['put', '-', '/x.bin', '--api-token-file', tokenFile], { apiUrl: (daemon as DaemonProcess).apiUrl, stdin: Buffer.alloc(100_000, 7) })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /keeps 100(\.0)? TiB of it for its metadata and logs \(--reserve\)(, [^:]* promised to writes in progress)?: no room for .*, another chunk of this put; nothing was stored \(NO_SPACE\)/)
    const stat = await runCli(['stat', '/x.bin', '--api-token-file', tokenFile], { apiUrl: (daemon as DaemonProcess).apiUrl })
    assert.equal(stat.code, 1)
    assert.match(stat.stderr, /FILE_NOT_FOUND/)
    const chunkDirs = await readdir(path.join(dir, 'data', 'chunks')).catch(() => [])
    for (const fanOut of chunkDirs) {
      assert.deepEqual(await readdir(path.join(dir, 'data', 'chunks', fanOut)), [], `a chunk was left in ${fanOut}`)
    }
    // temp files live beside the chunks, not among them
    assert.deepEqual(await readdir(path.join(dir, 'data', 'tmp')), [], 'a temp file was left')
  })
})
