// Checks the small-file reader that every key, token and identity file goes through: a file of
// exactly maxBytes is read whole and one byte more is refused as too large; a directory is
// refused as not a regular file; /dev/zero (bytes without end) and a FIFO nothing writes to
// are refused at once as not regular files, read in a child process (a synchronous read that
// waited or read without end would block mocha itself); a missing file's error passes through;
// the cap is asserted below 1 MiB (1 MiB - 1 accepted, 1 MiB a programmer error). Its callers'
// tests check that they read through it (a directory refused with the reader's words).
import { strict as assert } from 'node:assert'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SmallFileRefused, readSmallFile } from '../../src/util/read-small-file.js'
import { AssertionFailure } from '../../src/util/assert.js'
import { DEV_ZERO, callInChild, devZeroMissing, makeFifo, skipBecause } from '../helpers/special-files.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

describe('readSmallFile', () => {
  let dir: string
  before(async () => { dir = await makeTempDir('small-file') })
  after(async () => { await removeTempDir(dir) })

  it('reads a file of exactly maxBytes whole and refuses one byte more as too large', () => {
    const path = join(dir, 'f')
    writeFileSync(path, Buffer.alloc(100, 7))
    assert.deepEqual(readSmallFile(path, 100), Buffer.alloc(100, 7))
    assert.throws(() => readSmallFile(path, 99), (err: unknown) => err instanceof SmallFileRefused && err.problem === 'too-large')
    writeFileSync(path, '')
    assert.equal(readSmallFile(path, 0).byteLength, 0)
  })

  it('refuses a directory as not a regular file, and passes a missing file\'s error through', () => {
    assert.throws(() => readSmallFile(dir, 100), (err: unknown) => err instanceof SmallFileRefused && err.problem === 'not-a-regular-file' && /a directory/.test(err.message))
    assert.throws(() => readSmallFile(join(dir, 'missing'), 100), (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT')
  })

  describe('files that are not regular, read in a child process', () => {
    const readInChild = async (path: string): Promise<{ code?: string, message: string }> =>
      await callInChild(new URL('../helpers/read-small-file-child.js', import.meta.url).href, 'readSmallFileInChild', [path, '100'])

    it('refuses /dev/zero as not a regular file, without reading it', async function () {
      skipBecause(this, devZeroMissing())
      assert.deepEqual(await readInChild(DEV_ZERO), { message: 'a character device is not a regular file' })
    })

    // Nothing ever writes to this FIFO, so an open that waited for a writer would never return.
    it('refuses a FIFO without waiting for a writer', async function () {
      const fifo = join(dir, 'fifo')
      skipBecause(this, makeFifo(fifo))
      assert.deepEqual(await readInChild(fifo), { message: 'a FIFO is not a regular file' })
    })
  })

  it('asserts a cap below 1 MiB', () => {
    const path = join(dir, 'g')
    writeFileSync(path, 'x')
    assert.equal(readSmallFile(path, 1024 * 1024 - 1).toString(), 'x')
    assert.throws(() => readSmallFile(path, 1024 * 1024), AssertionFailure)
    assert.throws(() => readSmallFile(path, -1), AssertionFailure)
  })
})
