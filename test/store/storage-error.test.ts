// Checks the mapping of storage failures to error codes: full disk (ENOSPC, EDQUOT,
// SQLITE_FULL) is NO_SPACE, other failures STORAGE_IO with the cause kept, classified errors
// pass through, and assertion failures (bugs) are rethrown as themselves.
import { strict as assert } from 'node:assert'
import { JadfsError } from '../../src/errors.js'
import { toStorageError } from '../../src/store/storage-error.js'
import { AssertionFailure } from '../../src/util/assert.js'

const errno = (code: string): Error => Object.assign(new Error(`${code}: injected`), { code })

describe('storage error mapping', () => {
  it('maps full-disk codes to NO_SPACE and the rest to STORAGE_IO', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) assert.equal(toStorageError(errno(code), 'writing').code, 'NO_SPACE')
    const io = toStorageError(errno('EIO'), 'reading a chunk')
    assert.equal(io.code, 'STORAGE_IO')
    assert.match(io.message, /while reading a chunk: EIO/)
    assert.equal((io.cause as Error).message, 'EIO: injected')
    assert.equal(toStorageError('weird', 'x').code, 'STORAGE_IO')
  })

  it('passes classified errors through and rethrows assertion failures', () => {
    const classified = new JadfsError('CHUNK_CORRUPT', 'bad')
    assert.equal(toStorageError(classified, 'x'), classified)
    assert.throws(() => toStorageError(new AssertionFailure('bug'), 'x'), AssertionFailure)
  })
})
