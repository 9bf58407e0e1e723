// Checks the small-file reader itself (its callers' tests cover FIFOs and /dev/zero in a child
// process): a file of exactly maxBytes is read whole and one byte more is refused as too large;
// a directory is refused as not a regular file, in process; a missing file's error passes
// through; the cap is asserted below 1 MiB (1 MiB - 1 accepted, 1 MiB a programmer error).
import { strict as assert } from 'node:assert'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SmallFileRefused, readSmallFile } from '../../src/util/read-small-file.js'
import { AssertionFailure } from '../../src/util/assert.js'
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

  it('asserts a cap below 1 MiB', () => {
    const path = join(dir, 'g')
    writeFileSync(path, 'x')
    assert.equal(readSmallFile(path, 1024 * 1024 - 1).toString(), 'x')
    assert.throws(() => readSmallFile(path, 1024 * 1024), AssertionFailure)
    assert.throws(() => readSmallFile(path, -1), AssertionFailure)
  })
})
