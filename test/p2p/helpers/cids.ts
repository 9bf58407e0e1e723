// Chunk ids for tests: CIDv1 raw / sha2-256 of small byte strings, as the store names chunks.
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const RAW_CODEC = 0x55

export async function chunkCid (text: string): Promise<CID> {
  return CID.create(1, RAW_CODEC, await sha256.digest(new TextEncoder().encode(text)))
}
