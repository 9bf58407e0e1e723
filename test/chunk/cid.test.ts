// Checks chunk ids: the CID of known bytes matches the id IPFS gives a raw block, and parsing
// accepts only canonical CIDv1 raw sha2-256 base32, rejecting other versions, codecs, hashes,
// bases and garbage with INVALID_CID.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as json from 'multiformats/codecs/json'
import * as raw from 'multiformats/codecs/raw'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { base58btc } from 'multiformats/bases/base58'
import { chunkCidFromSha256, parseChunkCid, sha256OfChunkCid } from '../../src/chunk/cid.js'
import { throwsWith } from '../fixtures-storage/helpers.js'

const EMPTY_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

describe('chunk cid', () => {
  it('names the empty block as IPFS does, and round-trips the digest', () => {
    const digest = createHash('sha256').update(new Uint8Array()).digest()
    assert.equal(chunkCidFromSha256(digest), EMPTY_CID)
    assert.deepEqual(Buffer.from(sha256OfChunkCid(EMPTY_CID)), digest)
  })

  it('agrees with multiformats hashing the bytes itself', async () => {
    const bytes = new TextEncoder().encode('hello jadfs')
    const expected = CID.createV1(raw.code, await sha256.digest(bytes)).toString()
    assert.equal(chunkCidFromSha256(createHash('sha256').update(bytes).digest()), expected)
    assert.equal(parseChunkCid(expected), expected)
  })

  it('rejects other codecs, hashes, CIDv0, other bases, upper case and garbage', async () => {
    const bytes = new Uint8Array([1, 2, 3])
    const digest = await sha256.digest(bytes)
    const cases: unknown[] = [
      CID.createV1(json.code, digest).toString(),
      CID.createV1(raw.code, await sha512.digest(bytes)).toString(),
      CID.createV0(digest).toString(),
      CID.createV1(raw.code, digest).toString(base58btc),
      EMPTY_CID.toUpperCase(),
      `${EMPTY_CID.slice(0, -1)}1`,
      '',
      'not-a-cid',
      '../../etc/passwd',
      42,
      null
    ]
    for (const bad of cases) throwsWith(() => parseChunkCid(bad), 'INVALID_CID')
  })
})
