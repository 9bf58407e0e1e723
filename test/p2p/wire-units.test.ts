// Unit checks of the small wire helpers, no network: the have bitmap round-trips and
// rejects wrong lengths and stray bits; chunk ids other than CIDv1 raw sha2-256 are
// refused; library errors map to our codes. (Gossip validation: gossip-validate.test.ts.)
import { strict as assert } from 'node:assert'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { packBits, unpackBits } from '../../src/p2p/protocols/have/bitmap.js'
import { decodeChunkCid } from '../../src/p2p/protocols/have/chunk-cid.js'
import { toJadfsError } from '../../src/p2p/protocols/stream-errors.js'

function named (name: string): Error {
  const err = new Error('x')
  err.name = name
  return err
}

describe('p2p: wire helpers', () => {
  it('packs and unpacks bitmaps of every length up to 17', () => {
    for (let n = 0; n <= 17; n++) {
      const bits = Array.from({ length: n }, (_v, i) => i % 3 !== 1)
      const packed = packBits(bits)
      assert.equal(packed.byteLength, Math.ceil(n / 8))
      assert.deepEqual(unpackBits(packed, n), bits)
    }
    assert.equal(unpackBits(new Uint8Array(2), 3), undefined, 'too many bytes')
    assert.equal(unpackBits(new Uint8Array([0b1000]), 3), undefined, 'a bit set past the count')
  })

  it('accepts only CIDv1 raw sha2-256 chunk ids', async () => {
    const digest = await sha256.digest(new Uint8Array([1]))
    assert.ok(decodeChunkCid(CID.create(1, 0x55, digest).bytes))
    assert.equal(decodeChunkCid(CID.create(1, 0x70, digest).bytes), undefined, 'dag-pb codec')
    assert.equal(decodeChunkCid(CID.create(0, 0x70, digest).bytes), undefined, 'CIDv0')
    assert.equal(decodeChunkCid(new Uint8Array([1, 0x55, 0x12, 2, 0, 0])), undefined, 'short digest')
    assert.equal(decodeChunkCid(new Uint8Array([0xff])), undefined, 'garbage')
  })

  it('maps library errors to stable codes', () => {
    assert.equal(toJadfsError(named('InvalidDataLengthError'), 'exchange', 'c').code, 'MESSAGE_TOO_LARGE')
    assert.equal(toJadfsError(named('UnexpectedEOFError'), 'exchange', 'c').code, 'PROTOCOL_ERROR')
    assert.equal(toJadfsError(named('StreamResetError'), 'exchange', 'c').code, 'PROTOCOL_ERROR')
    assert.equal(toJadfsError(named('TooManyOutboundProtocolStreamsError'), 'open', 'c').code, 'PEER_BUSY')
    assert.equal(toJadfsError(named('UnsupportedProtocolError'), 'open', 'c').code, 'PEER_UNREACHABLE')
    assert.equal(toJadfsError(named('DialError'), 'open', 'c').code, 'PEER_UNREACHABLE')
    assert.equal(toJadfsError(named('Whatever'), 'exchange', 'c').code, 'PROTOCOL_ERROR')
  })

  it('reads an event thrown in place of an error: the error it carries, or its type, never "[object Event]"', () => {
    const withError = Object.assign(new Event('close'), { error: named('StreamResetError') })
    const reset = toJadfsError(withError, 'exchange', 'push x to y')
    assert.equal(reset.code, 'PROTOCOL_ERROR')
    assert.match(reset.message, /^push x to y: the peer reset the stream/)
    const bare = toJadfsError(new Event('close'), 'exchange', 'push x to y')
    assert.equal(bare.message, "push x to y: the stream or its connection ended (a 'close' event without an error)")
    assert.equal(toJadfsError(new Event('abort'), 'open', 'dial').code, 'PEER_UNREACHABLE')
  })
})
