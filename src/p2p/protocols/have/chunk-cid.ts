// The chunk ids accepted on the wire: CIDv1, codec raw (0x55), multihash sha2-256 (0x12)
// with a 32-byte digest. Anything else in a request is a protocol error, not a miss.
import { CID } from 'multiformats/cid'

const RAW_CODEC = 0x55
const SHA2_256_CODE = 0x12
const SHA2_256_BYTES = 32

export function decodeChunkCid (bytes: Uint8Array): CID | undefined {
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch {
    return undefined
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC) return undefined
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.size !== SHA2_256_BYTES) return undefined
  return cid
}
