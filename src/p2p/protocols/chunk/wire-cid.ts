// Chunk ids on the wire are binary CIDs; in the store they are canonical base32 strings.
import { CID } from 'multiformats/cid'
import { parseChunkCid } from '../../../chunk/cid.js'
import { JadfsError } from '../../../errors.js'
import { decodeChunkCid } from '../have/chunk-cid.js'

export function chunkIdToWire (cid: string): Uint8Array<ArrayBuffer> {
  // A copy: the generated message types want a plain ArrayBuffer-backed array.
  return new Uint8Array(CID.parse(cid).bytes)
}

/** The canonical chunk id in a peer's header; anything else is the peer's PROTOCOL_ERROR. */
export function chunkIdFromWire (bytes: Uint8Array): string {
  const cid = decodeChunkCid(bytes)
  if (cid === undefined) throw new JadfsError('PROTOCOL_ERROR', 'the header names an id that is not a raw sha2-256 CIDv1')
  return parseChunkCid(cid.toString())
}
