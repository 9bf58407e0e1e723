// The chunk protocols: fetch (whole chunks or ranges, streamed) and push (replicate a chunk
// to a peer), both over framed streams with the hash checked on every receive before the
// chunk is stored, and with frame, size, concurrency and time limits on both sides.
export { CHUNK_FETCH_PROTOCOL_ID, CHUNK_PUSH_PROTOCOL_ID, DEFAULT_SERVER_LIMITS, DEFAULT_TRANSFER_LIMITS } from './constants.js'
export type { ChunkServerLimits, ChunkTransferLimits } from './constants.js'
export { fetchChunk } from './fetch-chunk.js'
export type { ChunkRange, FetchChunkOptions, FetchedBytes, FetchIntoStoreOptions } from './fetch-chunk.js'
export { openPushSource, pushChunk } from './push-chunk.js'
export type { PushChunkOptions, PushOutcome, PushSource } from './push-chunk.js'
export { handleChunkProtocol } from './handle-chunk-protocol.js'
export type { ChunkHandlerHost, ChunkProtocolInit, ChunkProtocolServer } from './handle-chunk-protocol.js'
export type { ChunkProtocolStore } from './local-chunk.js'
