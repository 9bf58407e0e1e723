// Checks that client commands start without loading what only the daemon, or only one command,
// needs: the CLI is run in a child process whose module loads are recorded (record-imports.ts),
// and no module of libp2p, zod, Fastify or SQLite may be among them for `--version`, `ls --help`
// or `voters --help`. Each would add tens of milliseconds to every command's start.
import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const BIN = fileURLToPath(new URL('../../../bin/jadfs', import.meta.url))
const RECORDER = new URL('../helpers/record-imports.js', import.meta.url).href
const HEAVY = /\/node_modules\/(@libp2p|libp2p|@chainsafe|zod|fastify|better-sqlite3|pino)\//

describe('CLI start-up', () => {
  let dir: string
  before(async () => { dir = await makeTempDir('cli-startup') })
  after(async () => { await removeTempDir(dir) })

  for (const args of [['--version'], ['ls', '--help'], ['voters', '--help']]) {
    it(`jadfs ${args.join(' ')} loads no daemon-side or libp2p module`, async () => {
      const log = join(dir, `${args.join('_')}.log`)
      await promisify(execFile)(process.execPath, ['--import', RECORDER, BIN, ...args], { env: { ...process.env, JADFS_TEST_IMPORT_LOG: log } })
      const loaded = (await readFile(log, 'utf8')).split('\n').filter((url) => url !== '')
      assert.ok(loaded.some((url) => url.endsWith('/dist/src/cli/main.js')), 'the recorder saw nothing of the CLI: this test checks nothing')
      assert.deepEqual(loaded.filter((url) => HEAVY.test(url)), [])
    })
  }
})
