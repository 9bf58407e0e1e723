// Checks the bound on a put command's size: a file record lists at most MAX_CHUNKS_PER_FILE
// chunks (one more is refused when decoding, so a proposer that ignored the bound cannot get
// such an entry applied), and the largest command the bound allows (the longest path, every
// chunk listed), wrapped by the Raft driver, is within the daemon's maxEntryBytes, over which
// the core refuses a proposal (the limit that keeps one entry alone within a Raft message).
// Also the replication factor a record may carry: MAX_RECORDED_REPLICATION_FACTOR decodes and
// one more is refused, and the factor a put may ask for is within it and within the holders
// a peer remembers per chunk.
import { strict as assert } from 'node:assert'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { MAX_CHUNK_SIZE_BYTES } from '../../src/chunk/chunk-size.js'
import { DEFAULT_MAX_HOLDERS_PER_CHUNK } from '../../src/cluster/locate/chunk-locations.js'
import { MAX_REPLICATION_FACTOR } from '../../src/files/replication-limit.js'
import { MAX_CHUNKS_PER_FILE, MAX_RECORDED_REPLICATION_FACTOR, decodeCommand, encodeCommand, type NamespaceCommand } from '../../src/namespace/commands.js'
import { MAX_PATH_BYTES } from '../../src/namespace/path.js'
import { RAFT_MESSAGE_LIMITS } from '../../src/cluster/raft-namespace-log.js'
import { MAX_ENVELOPE_BYTES } from '../../src/raft/driver/envelope.js'
import { sha256Hex, throwsWith } from '../fixtures-storage/helpers.js'

function putOf (chunkCount: number, path = '/f'): NamespaceCommand {
  // the longest chunk ids: distinct ids all have the same length, one id repeated is the same size
  const cid = chunkCidFromSha256(Buffer.from(sha256Hex(Buffer.from('x')), 'hex'))
  const chunks = Array.from({ length: chunkCount }, () => ({ cid, sizeBytes: MAX_CHUNK_SIZE_BYTES }))
  return {
    type: 'putFile',
    record: {
      path,
      sizeBytes: chunkCount * MAX_CHUNK_SIZE_BYTES,
      sha256: 'ab'.repeat(32),
      chunkSizeBytes: MAX_CHUNK_SIZE_BYTES,
      chunks,
      replication: { factor: MAX_RECORDED_REPLICATION_FACTOR, mode: 'async' },
      modifiedAtMs: Number.MAX_SAFE_INTEGER
    },
    ifVersion: Number.MAX_SAFE_INTEGER
  }
}

describe('namespace commands: the size of a put', function () {
  this.timeout(30_000)

  it('decodes a record of MAX_RECORDED_REPLICATION_FACTOR copies and refuses one more; a put asks for no more than that or than peers remember', () => {
    const command = putOf(1) as Extract<NamespaceCommand, { type: 'putFile' }>
    assert.equal(decodeCommand(encodeCommand(command)).type, 'putFile')
    const over = { ...command, record: { ...command.record, replication: { factor: MAX_RECORDED_REPLICATION_FACTOR + 1, mode: 'async' } } }
    throwsWith(() => decodeCommand(new TextEncoder().encode(JSON.stringify(over))), 'INVALID_ARGUMENT', /factor/)
    assert.ok(MAX_REPLICATION_FACTOR <= MAX_RECORDED_REPLICATION_FACTOR)
    assert.ok(MAX_REPLICATION_FACTOR <= DEFAULT_MAX_HOLDERS_PER_CHUNK)
  })

  it('decodes a file of MAX_CHUNKS_PER_FILE chunks and refuses one more', () => {
    const atLimit = putOf(MAX_CHUNKS_PER_FILE)
    assert.equal(decodeCommand(encodeCommand(atLimit)).type, 'putFile')
    const overLimit = new TextEncoder().encode(JSON.stringify(putOf(MAX_CHUNKS_PER_FILE + 1)))
    throwsWith(() => decodeCommand(overLimit), 'INVALID_ARGUMENT', /100000/)
  })

  it('the largest put the bound allows fits in one Raft entry', () => {
    const longestPath = '/' + Array.from({ length: 16 }, () => 'p'.repeat(255)).join('/').slice(0, MAX_PATH_BYTES - 1)
    const bytes = encodeCommand(putOf(MAX_CHUNKS_PER_FILE, longestPath)).byteLength
    assert.ok(bytes + MAX_ENVELOPE_BYTES <= RAFT_MESSAGE_LIMITS.maxEntryBytes, `${bytes} bytes`)
  })
})
