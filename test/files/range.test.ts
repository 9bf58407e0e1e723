// Checks Range header parsing: the three single-range forms, clamping past the end, and
// INVALID_RANGE for multi-range, malformed, reversed and unsatisfiable ranges, including any
// range on an empty file.
import { strict as assert } from 'node:assert'
import { parseRangeHeader } from '../../src/files/range.js'
import { throwsWith } from '../fixtures-storage/helpers.js'

describe('range header', () => {
  it('no header means the whole file', () => {
    assert.equal(parseRangeHeader(undefined, 10), null)
  })

  it('parses bytes=a-b, bytes=a- and bytes=-n', () => {
    assert.deepEqual(parseRangeHeader('bytes=0-0', 10), { start: 0, end: 0 })
    assert.deepEqual(parseRangeHeader('bytes=2-5', 10), { start: 2, end: 5 })
    assert.deepEqual(parseRangeHeader('bytes=9-9', 10), { start: 9, end: 9 })
    assert.deepEqual(parseRangeHeader('bytes=3-', 10), { start: 3, end: 9 })
    assert.deepEqual(parseRangeHeader('bytes=-1', 10), { start: 9, end: 9 })
    assert.deepEqual(parseRangeHeader(' Bytes=-10 ', 10), { start: 0, end: 9 })
  })

  it('clamps an end or suffix past the file', () => {
    assert.deepEqual(parseRangeHeader('bytes=5-100', 10), { start: 5, end: 9 })
    assert.deepEqual(parseRangeHeader('bytes=-100', 10), { start: 0, end: 9 })
    assert.deepEqual(parseRangeHeader('bytes=0-99999999999999999999', 10), { start: 0, end: 9 })
  })

  it('rejects unsatisfiable ranges with the size in details', () => {
    const err = throwsWith(() => parseRangeHeader('bytes=10-', 10), 'INVALID_RANGE', /at or after the end/)
    assert.deepEqual(err.details, { sizeBytes: 10 })
    throwsWith(() => parseRangeHeader('bytes=10-12', 10), 'INVALID_RANGE')
    throwsWith(() => parseRangeHeader('bytes=-0', 10), 'INVALID_RANGE', /no bytes/)
  })

  it('every range on an empty file is unsatisfiable', () => {
    for (const header of ['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-5']) {
      throwsWith(() => parseRangeHeader(header, 0), 'INVALID_RANGE')
    }
  })

  it('rejects multiple, malformed and reversed ranges', () => {
    throwsWith(() => parseRangeHeader('bytes=0-1,3-4', 10), 'INVALID_RANGE', /multiple/)
    for (const bad of ['', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=a-b', 'bytes=1-2-3', 'bytes=+1-2', 'bytes= 1-2', '0-1']) {
      throwsWith(() => parseRangeHeader(bad, 10), 'INVALID_RANGE')
    }
    throwsWith(() => parseRangeHeader('bytes=5-4', 10), 'INVALID_RANGE', /ends before it starts/)
  })
})
