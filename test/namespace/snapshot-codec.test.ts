// Checks the bytes of a namespace snapshot: what is encoded decodes to the same value; a
// namespace of many files compresses to well under a third of its JSON (the reason for the
// codec: one Raft message carries the whole snapshot); plain JSON is still read; an unknown
// format byte, bytes that do not decompress, and a stream inflating past the limit (a
// decompression bomb, checked at a small limit and one byte over it) are INVALID_ARGUMENT.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { brotliCompressSync } from 'node:zlib'
import { isJadfsError } from '../../src/errors.js'
import { MAX_SNAPSHOT_JSON_BYTES, decodeSnapshot, encodeSnapshot } from '../../src/namespace/snapshot-codec.js'

function invalid (fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => isJadfsError(err) && err.code === 'INVALID_ARGUMENT' && message.test(err.message))
}

const files = Array.from({ length: 2000 }, (_, i) => ({
  path: `/data/dir${i % 50}/file-${String(i).padStart(6, '0')}.bin`,
  sizeBytes: 100_000 + i,
  sha256: randomBytes(32).toString('hex'),
  chunkSizeBytes: 67_108_864,
  chunks: [{ cid: `bafkrei${randomBytes(33).toString('base64url').toLowerCase().replace(/[^a-z2-7]/g, 'a').slice(0, 52)}`, sizeBytes: 100_000 + i }],
  replication: { factor: 3, mode: 'sync' },
  createdAtMs: 1_795_320_000_000 + i,
  modifiedAtMs: 1_795_320_000_000 + i,
  version: 1
}))

describe('namespace snapshot codec', () => {
  it('round-trips a snapshot and compresses a large namespace to under a third of its JSON', () => {
    const value = { format: 1, appliedIndex: 42, files }
    const encoded = encodeSnapshot(value)
    assert.deepEqual(decodeSnapshot(encoded), value)
    const jsonBytes = Buffer.byteLength(JSON.stringify(value))
    assert.ok(encoded.byteLength * 3 < jsonBytes, `${encoded.byteLength} bytes encoded for ${jsonBytes} bytes of JSON`)
  })

  it('reads plain JSON and refuses unknown formats and bytes that do not decompress', () => {
    assert.deepEqual(decodeSnapshot(new TextEncoder().encode('{"format":1,"files":[]}')), { format: 1, files: [] })
    invalid(() => decodeSnapshot(new Uint8Array([0x02, 1, 2, 3])), /unknown format \(first byte 2\)/)
    invalid(() => decodeSnapshot(new Uint8Array(0)), /unknown format \(first byte missing\)/)
    invalid(() => decodeSnapshot(new Uint8Array([0x01, 0xff, 0xfe, 0xfd, 0xfc])), /does not decompress/)
    invalid(() => decodeSnapshot(new TextEncoder().encode('{"format":')), /not UTF-8 JSON/)
  })

  it('refuses a snapshot that inflates past the limit, and takes one exactly at it', () => {
    // a decompression bomb: a mebibyte of spaces compresses to a few bytes
    const limit = 1024 * 1024
    const atLimit = Buffer.alloc(limit, 0x20)
    atLimit[0] = '['.charCodeAt(0)
    atLimit[atLimit.length - 1] = ']'.charCodeAt(0)
    const packed = (json: Buffer): Buffer => Buffer.concat([Buffer.from([0x01]), brotliCompressSync(json)])
    assert.ok(packed(atLimit).byteLength < 100)
    assert.deepEqual(decodeSnapshot(packed(atLimit), limit), [])
    const over = Buffer.concat([atLimit.subarray(0, limit - 1), Buffer.from(' ]')])
    invalid(() => decodeSnapshot(packed(over), limit), /does not decompress .*at most 1048576 bytes/)
    assert.ok(MAX_SNAPSHOT_JSON_BYTES >= 256 * 1024 * 1024, 'the real limit leaves room for a 64 MiB message of compressed JSON')
  })
})
