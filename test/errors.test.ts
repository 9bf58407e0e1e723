// Checks the error registry: codes are unique, documented, and map to HTTP error statuses,
// and JadfsError carries its code and status. Fails if a code is added without a description.
import { strict as assert } from 'node:assert'
import { ERROR_CODES, JadfsError, isJadfsError } from '../src/errors.js'

describe('error registry', () => {
  it('every code has a description and an HTTP error status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^[A-Z][A-Z_]*$/, `code ${code} is not UPPER_SNAKE`)
      assert.ok(info.description.length > 10, `code ${code} lacks a description`)
      assert.ok(info.httpStatus >= 400 && info.httpStatus < 600, `code ${code} has status ${info.httpStatus}`)
    }
  })

  it('JadfsError carries code, status and details', () => {
    const err = new JadfsError('FILE_NOT_FOUND', 'no file at /a', { details: { path: '/a' } })
    assert.equal(err.code, 'FILE_NOT_FOUND')
    assert.equal(err.httpStatus, 404)
    assert.deepEqual(err.details, { path: '/a' })
    assert.ok(isJadfsError(err, 'FILE_NOT_FOUND'))
    assert.ok(!isJadfsError(err, 'INVALID_PATH'))
    assert.ok(!isJadfsError(new Error('x')))
  })
})
