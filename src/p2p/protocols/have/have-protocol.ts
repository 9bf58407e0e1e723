// /jadfs/have/1.0.0: ask a peer which of a batch of chunks it holds; the answer is a bitmap
// in request order. The holder side takes a hasChunk function, so it needs no storage engine;
// if that throws a JadfsError (say STORAGE_IO), the asker receives the same code.
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'
import { JadfsError } from '../../../errors.js'
import { assert } from '../../../util/assert.js'
import { defineProtocol } from '../protocol-spec.js'
import { handleProtocol } from '../handle-protocol.js'
import type { HandlerHost } from '../handle-protocol.js'
import { request } from '../request.js'
import type { RequestHost, RequestOptions } from '../request.js'
import { packBits, unpackBits } from './bitmap.js'
import { decodeChunkCid } from './chunk-cid.js'
import { HaveRequest, HaveResponse } from './have.js'

export const HAVE_PROTOCOL_ID = '/jadfs/have/1.0.0'
export const MAX_CIDS_PER_HAVE_REQUEST = 1024
/** 1024 CIDs of 36 bytes plus 2 bytes of field framing each, with room to spare. */
const MAX_HAVE_REQUEST_BYTES = 48 * 1024
/** 128 bitmap bytes, or an error code and a message of at most 512 characters. */
const MAX_HAVE_RESPONSE_BYTES = 4096

export const haveProtocol = defineProtocol<HaveRequest, HaveResponse>({
  id: HAVE_PROTOCOL_ID,
  request: {
    encode: (m) => HaveRequest.encode(m),
    decode: (b) => HaveRequest.decode(b, { limits: { cids: MAX_CIDS_PER_HAVE_REQUEST } })
  },
  response: { encode: (m) => HaveResponse.encode(m), decode: (b) => HaveResponse.decode(b) },
  maxRequestBytes: MAX_HAVE_REQUEST_BYTES,
  maxResponseBytes: MAX_HAVE_RESPONSE_BYTES,
  timeoutMs: 10_000,
  maxInboundStreams: 16,
  maxOutboundStreams: 16,
  errors: {
    encode: (error) => ({ bitmap: new Uint8Array(), count: 0, errorCode: error.code, errorMessage: error.message }),
    decode: (res) => res.errorCode === '' ? undefined : { code: res.errorCode, message: res.errorMessage }
  }
})

export type HasChunk = (cid: CID) => boolean | Promise<boolean>

export async function handleHave (host: HandlerHost, hasChunk: HasChunk): Promise<void> {
  await handleProtocol(host, haveProtocol, async (req) => {
    const held: boolean[] = []
    for (const bytes of req.cids) {
      const cid = decodeChunkCid(bytes)
      if (cid === undefined) throw new JadfsError('PROTOCOL_ERROR', 'have request names an id that is not a raw sha2-256 CIDv1')
      held.push(await hasChunk(cid))
    }
    return { bitmap: packBits(held), count: held.length, errorCode: '', errorMessage: '' }
  })
}

/**
 * Returns, for each CID in order, whether the peer holds it. More than
 * MAX_CIDS_PER_HAVE_REQUEST go as several requests, one after another, so callers batch as
 * suits them without knowing the protocol's limit.
 */
export async function requestHave (host: RequestHost, peer: PeerId | Multiaddr, cids: readonly CID[], options?: RequestOptions): Promise<boolean[]> {
  const held: boolean[] = []
  for (let start = 0; start < cids.length; start += MAX_CIDS_PER_HAVE_REQUEST) {
    held.push(...await requestHaveOnce(host, peer, cids.slice(start, start + MAX_CIDS_PER_HAVE_REQUEST), options))
  }
  return held
}

async function requestHaveOnce (host: RequestHost, peer: PeerId | Multiaddr, cids: readonly CID[], options?: RequestOptions): Promise<boolean[]> {
  assert(cids.length > 0 && cids.length <= MAX_CIDS_PER_HAVE_REQUEST, 'a have request names 1 to MAX_CIDS_PER_HAVE_REQUEST chunks', { count: cids.length })
  const res = await request(host, peer, haveProtocol, { cids: cids.map((c) => c.bytes) }, options)
  const held = res.count === cids.length ? unpackBits(res.bitmap, res.count) : undefined
  if (held === undefined) {
    throw new JadfsError('PROTOCOL_ERROR', `${HAVE_PROTOCOL_ID} to ${peer.toString()}: the answer covers ${res.count} chunks with ${res.bitmap.byteLength} bitmap bytes, expected ${cids.length} chunks`)
  }
  return held
}
