// Decoding and validation of gossip messages. Gossip is soft state from any peer, so
// every field is checked before use; a message that fails is dropped (and rejected in
// gossipsub, which lowers the sender's score) rather than partially trusted.
import { CID } from 'multiformats/cid'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import * as Digest from 'multiformats/hashes/digest'
import { decodeChunkCid } from '../protocols/have/chunk-cid.js'
import { ChunkEvent, ChunkEventKind } from './chunk-event.js'
import { Heartbeat, RaftRole } from './heartbeat.js'
import { MAX_API_ADDRESS_CHARS, MAX_CHUNK_EVENT_BYTES, MAX_CIDS_PER_CHUNK_EVENT, MAX_HEARTBEAT_BYTES, MAX_VERSION_CHARS } from './topics.js'

export type Validated<T> = { ok: true, value: T } | { ok: false, reason: string }

export interface ReceivedHeartbeat extends Omit<Heartbeat, 'peerId'> {
  readonly peerId: PeerId
}

export interface ReceivedChunkEvent {
  readonly from: PeerId
  readonly kind: 'stored' | 'deleted'
  readonly cids: CID[]
  readonly sentAtMs: number
}

const RAFT_ROLES = new Set<string>(Object.values(RaftRole).filter((v) => typeof v === 'string'))
// Another peer's version and API address end up in operators' terminals (`jadfs cluster
// status`) and the address is used as a URL, so neither may carry control characters or
// anything outside ASCII. It also makes their character limits byte limits, which
// MAX_HEARTBEAT_BYTES is sized for: 64 + 256 three-byte characters did not fit in it.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/** `from` is the signed gossip sender; a heartbeat may only speak for its own sender. */
export function validateHeartbeat (data: Uint8Array, from: PeerId): Validated<ReceivedHeartbeat> {
  if (data.byteLength > MAX_HEARTBEAT_BYTES) return fail(`heartbeat of ${data.byteLength} bytes is over ${MAX_HEARTBEAT_BYTES}`)
  let hb: Heartbeat
  try {
    hb = Heartbeat.decode(data)
  } catch (err) {
    return fail(`undecodable heartbeat: ${(err as Error).message}`)
  }
  let peerId: PeerId
  try {
    peerId = peerIdFromMultihash(Digest.decode(hb.peerId))
  } catch {
    return fail('heartbeat peer id is not a peer id')
  }
  if (!peerId.equals(from)) return fail(`heartbeat for ${peerId.toString()} was sent by ${from.toString()}`)
  // The decoder already refuses varints past 2^53 - 1 and enum values it does not know
  // (gossip-validate.test.ts pins both); these checks keep such values out should it stop.
  for (const key of ['freeBytes', 'usedBytes', 'chunkCount', 'raftTerm', 'sequence', 'sentAtMs', 'startedAtMs'] as const) {
    if (!Number.isSafeInteger(hb[key]) || hb[key] < 0) return fail(`heartbeat ${key} is not a safe non-negative integer`)
  }
  if (hb.sequence < 1) return fail('heartbeat sequence starts at 1')
  if (!RAFT_ROLES.has(hb.raftRole)) return fail('heartbeat raft role is unknown')
  if (hb.version.length > MAX_VERSION_CHARS) return fail('heartbeat version is too long')
  if (hb.apiAddress.length > MAX_API_ADDRESS_CHARS) return fail('heartbeat api address is too long')
  if (!PRINTABLE_ASCII.test(hb.version)) return fail('heartbeat version is not printable ASCII')
  if (!PRINTABLE_ASCII.test(hb.apiAddress)) return fail('heartbeat api address is not printable ASCII')
  return { ok: true, value: { ...hb, peerId } }
}

export function validateChunkEvent (data: Uint8Array, from: PeerId): Validated<ReceivedChunkEvent> {
  if (data.byteLength > MAX_CHUNK_EVENT_BYTES) return fail(`chunk event of ${data.byteLength} bytes is over ${MAX_CHUNK_EVENT_BYTES}`)
  let event: ChunkEvent
  try {
    event = ChunkEvent.decode(data, { limits: { cids: MAX_CIDS_PER_CHUNK_EVENT } })
  } catch (err) {
    return fail(`undecodable chunk event: ${(err as Error).message}`)
  }
  const kind = event.kind === ChunkEventKind.CHUNK_EVENT_KIND_STORED ? 'stored' : event.kind === ChunkEventKind.CHUNK_EVENT_KIND_DELETED ? 'deleted' : undefined
  if (kind === undefined) return fail('chunk event kind is unknown')
  if (event.cids.length === 0) return fail('chunk event names no chunks')
  // a backstop, as for heartbeats: the decoder refuses a time past 2^53 - 1 first
  if (!Number.isSafeInteger(event.sentAtMs)) return fail('chunk event time is not a safe integer')
  const cids: CID[] = []
  for (const bytes of event.cids) {
    const cid = decodeChunkCid(bytes)
    if (cid === undefined) return fail('chunk event names an id that is not a raw sha2-256 CIDv1')
    cids.push(cid)
  }
  return { ok: true, value: { from, kind, cids, sentAtMs: event.sentAtMs } }
}

function fail<T> (reason: string): Validated<T> {
  return { ok: false, reason }
}
