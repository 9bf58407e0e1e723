// Checks every path rule at its limit: leading '/', empty/'.'/'..' segments, '//' (rejected),
// trailing '/', NUL and each control character, backslash, lone surrogates, total UTF-8 length
// 4096 accepted / 4097 rejected, segment length 255 accepted / 256 rejected (also with
// multi-byte characters). Each rejection is INVALID_PATH with a message naming the problem.
import { strict as assert } from 'node:assert'
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES, normalisePath, normalisePrefix } from '../../src/namespace/path.js'
import { throwsWith } from '../fixtures-storage/helpers.js'

/** a valid path of exactly totalBytes bytes made of full-size segments */
function pathOfBytes (totalBytes: number): string {
  let path = ''
  while (path.length < totalBytes) {
    const room = totalBytes - path.length - 1
    path += '/' + 'a'.repeat(Math.min(room, MAX_SEGMENT_BYTES))
  }
  return path
}

describe('path validation', () => {
  it('accepts ordinary paths unchanged', () => {
    for (const ok of ['/a', '/a/b.txt', '/.hidden', '/a/..b/c..', '/ünïcødé/файл', '/😀', '/a b/c%20d']) {
      assert.equal(normalisePath(ok), ok)
    }
  })

  it('requires a leading slash and a file name', () => {
    throwsWith(() => normalisePath('a/b'), 'INVALID_PATH', /must start with '\/'/)
    throwsWith(() => normalisePath(''), 'INVALID_PATH', /empty/)
    throwsWith(() => normalisePath('/'), 'INVALID_PATH', /root/)
    throwsWith(() => normalisePath(42), 'INVALID_PATH', /string/)
  })

  it('rejects a trailing slash, empty segments and dot segments', () => {
    throwsWith(() => normalisePath('/a/'), 'INVALID_PATH', /end with '\/'/)
    throwsWith(() => normalisePath('/a//b'), 'INVALID_PATH', /empty segment/)
    throwsWith(() => normalisePath('//a'), 'INVALID_PATH', /empty segment/)
    throwsWith(() => normalisePath('/a/./b'), 'INVALID_PATH', /'\.' segments/)
    throwsWith(() => normalisePath('/a/../b'), 'INVALID_PATH', /'\.\.' segments/)
    throwsWith(() => normalisePath('/..'), 'INVALID_PATH', /'\.\.' segments/)
    throwsWith(() => normalisePath('/a/..'), 'INVALID_PATH', /'\.\.' segments/)
  })

  it('rejects NUL, every control character U+0001–U+001F and U+007F, and backslash', () => {
    throwsWith(() => normalisePath('/a\u0000b'), 'INVALID_PATH', /NUL/)
    for (let code = 1; code <= 0x1f; code++) {
      throwsWith(() => normalisePath(`/a${String.fromCharCode(code)}b`), 'INVALID_PATH', /control character U\+00/)
    }
    throwsWith(() => normalisePath('/a\u007fb'), 'INVALID_PATH', /U\+007F/)
    throwsWith(() => normalisePath('/a\\b'), 'INVALID_PATH', /backslash/)
    assert.equal(normalisePath('/a\u0080b'), '/a\u0080b')
  })

  it('rejects lone surrogates (not encodable as UTF-8)', () => {
    throwsWith(() => normalisePath('/a\ud800b'), 'INVALID_PATH', /surrogate/)
  })

  it('accepts 4096 bytes of UTF-8 and rejects 4097', () => {
    const longest = pathOfBytes(MAX_PATH_BYTES)
    assert.equal(Buffer.byteLength(longest), 4096)
    assert.equal(normalisePath(longest), longest)
    const tooLong = pathOfBytes(MAX_PATH_BYTES + 1)
    assert.equal(Buffer.byteLength(tooLong), 4097)
    throwsWith(() => normalisePath(tooLong), 'INVALID_PATH', /4097 bytes of UTF-8; at most 4096/)
  })

  it('counts the limit in UTF-8 bytes, not characters', () => {
    // 17 segments of 127 two-byte characters: 2176 characters but 4335 bytes
    const segment = 'é'.repeat(127)
    const path = ('/' + segment).repeat(17)
    assert.ok(path.length < 4096 && Buffer.byteLength(path) > 4096)
    throwsWith(() => normalisePath(path), 'INVALID_PATH', /bytes of UTF-8/)
  })

  it('accepts a 255-byte segment and rejects 256, in bytes', () => {
    assert.ok(normalisePath('/' + 'a'.repeat(255)))
    throwsWith(() => normalisePath('/' + 'a'.repeat(256)), 'INVALID_PATH', /256 bytes of UTF-8; at most 255/)
    assert.ok(normalisePath('/x/' + 'é'.repeat(127) + 'a'))
    throwsWith(() => normalisePath('/x/' + 'é'.repeat(128)), 'INVALID_PATH', /256 bytes/)
  })

  it('prefixes may end in a slash or mid-segment but follow the character rules', () => {
    assert.equal(normalisePrefix(undefined), '/')
    assert.equal(normalisePrefix(''), '/')
    assert.equal(normalisePrefix('/photos/'), '/photos/')
    assert.equal(normalisePrefix('/photos/20'), '/photos/20')
    throwsWith(() => normalisePrefix('photos'), 'INVALID_PATH')
    throwsWith(() => normalisePrefix('/a\u0000'), 'INVALID_PATH', /NUL/)
  })
})
