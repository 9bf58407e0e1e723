// Unit checks of the small wire helpers, no network: the have bitmap round-trips and
// rejects wrong lengths and stray bits; chunk ids other than CIDv1 raw sha2-256 are
// refused; heartbeat validation refuses bad fields; library errors map to our codes.
import { strict as assert } from 'node:assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { Heartbeat, RaftRole } from '../../src/p2p/gossip/heartbeat.js'
import { validateHeartbeat } from '../../src/p2p/gossip/validate.js'
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

  it('validates heartbeats field by field', async () => {
    const me = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const good = { peerId: me.toMultihash().bytes, freeBytes: 1, usedBytes: 1, chunkCount: 1, raftRole: RaftRole.RAFT_ROLE_FOLLOWER, raftTerm: 1, version: 'v', apiAddress: 'a', sequence: 1, sentAtMs: 2, startedAtMs: 1 }
    assert.equal(validateHeartbeat(Heartbeat.encode(good), me).ok, true)
    const bad: Array<[string, Partial<typeof good>]> = [
      ['sent by someone else', { peerId: other.toMultihash().bytes }],
      ['sequence 0', { sequence: 0 }],
      ['long version', { version: 'v'.repeat(65) }],
      ['no peer id', { peerId: new Uint8Array() }]
    ]
    for (const [why, change] of bad) {
      assert.equal(validateHeartbeat(Heartbeat.encode({ ...good, ...change }), me).ok, false, why)
    }
    assert.equal(validateHeartbeat(new Uint8Array([0x0a, 0xff]), me).ok, false, 'truncated')
    // free_bytes = 2^60 appended by hand (the encoder refuses it; another peer's might not).
    const unsafe = new Uint8Array([...Heartbeat.encode(good), 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])
    assert.equal(validateHeartbeat(unsafe, me).ok, false, 'unsafe integer')
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
})
