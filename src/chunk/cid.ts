// Chunk ids: CIDv1, codec raw (0x55), multihash sha2-256, base32 text ("bafkrei...") — the id
// IPFS gives the same raw block and the key the DHT uses. The digest comes from our own
// incremental hash, so a chunk is never held whole just to name it.
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { base32 } from 'multiformats/bases/base32'
import { JadfsError } from '../errors.js'
import { assert } from '../util/assert.js'

export const SHA256_DIGEST_BYTES = 32
/** a CIDv1 raw sha2-256 in base32 is always this long */
export const CHUNK_CID_LENGTH = 59

export function chunkCidFromSha256 (digest: Uint8Array): string {
  assert(digest.byteLength === SHA256_DIGEST_BYTES, 'sha-256 digest must be 32 bytes', { bytes: digest.byteLength })
  return CID.createV1(raw.code, Digest.create(sha256.code, digest)).toString(base32)
}

/** the 32 digest bytes a chunk id names; the id must already be valid */
export function sha256OfChunkCid (cid: string): Uint8Array {
  return CID.parse(cid, base32).multihash.digest
}

/**
 * Validates a chunk id coming from outside (a URL, a command, a file name on disk) and returns
 * its canonical form. Anything but CIDv1 raw sha2-256 in lowercase base32 is INVALID_CID:
 * accepting other bases would give one chunk several names on disk.
 */
export function parseChunkCid (text: unknown): string {
  if (typeof text !== 'string' || text.length !== CHUNK_CID_LENGTH || !text.startsWith('b')) {
    throw invalid(text, 'expected a 59-character base32 CIDv1 starting with "bafkrei"')
  }
  let cid: CID
  try {
    cid = CID.parse(text, base32)
  } catch (err) {
    throw invalid(text, 'not a decodable CID', err)
  }
  if (cid.version !== 1) throw invalid(text, 'only CIDv1 is accepted')
  if (cid.code !== raw.code) throw invalid(text, `codec must be raw (0x55), got 0x${cid.code.toString(16)}`)
  if (cid.multihash.code !== sha256.code || cid.multihash.size !== SHA256_DIGEST_BYTES) {
    throw invalid(text, `multihash must be sha2-256 (0x12), got 0x${cid.multihash.code.toString(16)}`)
  }
  const canonical = cid.toString(base32)
  if (canonical !== text) throw invalid(text, 'not in canonical lowercase base32 form')
  return canonical
}

function invalid (text: unknown, why: string, cause?: unknown): JadfsError {
  const shown = typeof text === 'string' ? JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text) : typeof text
  return new JadfsError('INVALID_CID', `invalid chunk id ${shown}: ${why}`, { cause })
}
