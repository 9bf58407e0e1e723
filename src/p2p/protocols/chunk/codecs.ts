// The header codecs as the framing toolkit takes them.
import type { MessageCodec } from '../protocol-spec.js'
import { FetchRequest, FetchResponse, PushRequest, PushResponse } from './chunk.js'

export const fetchRequestCodec: MessageCodec<FetchRequest> = { encode: (m) => FetchRequest.encode(m), decode: (b) => FetchRequest.decode(b) }
export const fetchResponseCodec: MessageCodec<FetchResponse> = { encode: (m) => FetchResponse.encode(m), decode: (b) => FetchResponse.decode(b) }
export const pushRequestCodec: MessageCodec<PushRequest> = { encode: (m) => PushRequest.encode(m), decode: (b) => PushRequest.decode(b) }
export const pushResponseCodec: MessageCodec<PushResponse> = { encode: (m) => PushResponse.encode(m), decode: (b) => PushResponse.decode(b) }
