// The chunk protocols: fetch (whole chunks or ranges, streamed) and push (replicate a chunk
// to a peer), both over framed streams with the hash checked on every receive before the
// chunk is stored, and with frame, size, concurrency and time limits on both sides.
//
// On the wire (chunk.proto): one length-prefixed protobuf header each way, then the chunk
// bytes as length-prefixed raw frames, never larger than the frame size both sides agreed.
//   fetch: FetchRequest -> FetchResponse (refusal: error code, no data) -> data -> end
//   push:  PushRequest -> PushResponse READY | ALREADY_HAD | REFUSED
//          -> data -> sender closes -> PushResponse STORED | REFUSED
// A holder re-hashes the whole chunk before it sends a byte (CHUNK_CORRUPT otherwise); a
// receiver stores only bytes that hash to the id (CHECKSUM_MISMATCH otherwise, nothing
// kept). A range cannot be checked against the id by the asker, only by the holder: see
// fetch-chunk.ts for what that means for its use.
export { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID, DEFAULT_SERVER_LIMITS, DEFAULT_TRANSFER_LIMITS } from './constants.js'
export type { ChunkServerLimits, ChunkTransferLimits } from './constants.js'
export { fetchChunk } from './fetch-chunk.js'
export type { ChunkRange, FetchChunkOptions, FetchedBytes, FetchIntoStoreOptions } from './fetch-chunk.js'
export { openFreshPushSource, openPushSource, pushChunk } from './push-chunk.js'
export type { PushChunkOptions, PushOutcome, PushSource } from './push-chunk.js'
export { handleChunkProtocol } from './handle-chunk-protocol.js'
export type { ChunkHandlerHost, ChunkProtocolInit, ChunkProtocolServer } from './handle-chunk-protocol.js'
export type { ChunkProtocolStore } from './local-chunk.js'
