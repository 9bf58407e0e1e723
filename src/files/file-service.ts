// The boundary between the HTTP API / CLI and the storage engine. The API depends only on
// this interface (tests may inject a fake); the node composes the real implementation.
// Later, the cluster replaces the single-node implementation behind the same interface.

export type ReplicationMode = 'sync' | 'async'

export interface ReplicationPolicy {
  /** copies of each chunk the cluster should hold */
  readonly factor: number
  readonly mode: ReplicationMode
}

export interface ChunkRef {
  /** CIDv1, codec raw (0x55), multihash sha2-256, base32 string form */
  readonly cid: string
  readonly sizeBytes: number
}

export interface FileRecord {
  /** normalised path, always starting with '/' */
  readonly path: string
  readonly sizeBytes: number
  /** hex SHA-256 of the whole file */
  readonly sha256: string
  readonly chunkSizeBytes: number
  readonly chunks: readonly ChunkRef[]
  readonly replication: ReplicationPolicy
  readonly createdAtMs: number
  readonly modifiedAtMs: number
  /** increases on every overwrite of the same path; used for ETag and If-Match */
  readonly version: number
}

export interface PutFileOptions {
  readonly chunkSizeBytes?: number
  readonly replication?: Partial<ReplicationPolicy>
  /** if known (Content-Length), a shorter body fails with UPLOAD_INCOMPLETE */
  readonly expectedSizeBytes?: number
  /** hex SHA-256 the client claims; a mismatch fails with CHECKSUM_MISMATCH */
  readonly expectedSha256?: string
  /** only replace the file if its current version is this one (0 = must not exist) */
  readonly ifVersion?: number
  /** sync mode with fewer live peers than the factor: keep what can be copied now, record the rest as debt */
  readonly allowFewer?: boolean
  readonly signal?: AbortSignal
}

export interface ReadOptions {
  /** read this peer's copy of the namespace without a ReadIndex round (may lag the leader) */
  readonly stale?: boolean
  readonly signal?: AbortSignal
}

/** inclusive byte range, already validated against the file size */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

export interface FileReadHandle {
  readonly record: FileRecord
  readonly range: ByteRange | null
  /** bytes of the range (or whole file), each chunk re-hashed before any of its bytes are yielded */
  readonly body: AsyncIterable<Uint8Array>
}

export interface ListFilesOptions {
  readonly prefix?: string
  readonly limit?: number
  readonly cursor?: string
  readonly stale?: boolean
}

export interface FileListing {
  readonly files: readonly FileRecord[]
  /** opaque; pass back as cursor for the next page, absent on the last page */
  readonly nextCursor?: string
}

export interface ChunkReadHandle {
  readonly cid: string
  readonly sizeBytes: number
  readonly body: AsyncIterable<Uint8Array>
}

export interface NodeStatus {
  readonly nodeId: string
  readonly version: string
  readonly uptimeMs: number
  readonly dataDir: string
  readonly files: number
  /** sum of file sizes as users see them */
  readonly logicalBytes: number
  /** bytes of chunk files on disk (each distinct chunk once) */
  readonly physicalBytes: number
  readonly chunks: number
  readonly badChunks: number
  /** of `chunks`, copies kept only because a read fetched them to this peer */
  readonly cachedChunks: number
  readonly diskFreeBytes: number
  readonly diskTotalBytes: number
  /** index of the last namespace command applied */
  readonly appliedIndex: number
  /** bytes the files take in a namespace snapshot, and the most they may take (NAMESPACE_FULL) */
  readonly namespaceBytes: number
  readonly namespaceLimitBytes: number
}

export interface GcReport {
  /** chunk files removed, evicted cached copies included */
  readonly chunksRemoved: number
  /** of chunksRemoved, copies a read had fetched to this peer and nobody read since */
  readonly cachedEvicted: number
  readonly bytesFreed: number
  readonly tempFilesRemoved: number
  readonly durationMs: number
}

export interface GcOptions {
  /** orphans younger than this are kept, protecting uploads in flight */
  readonly graceMs?: number
}

export interface FileService {
  putFile (path: string, body: AsyncIterable<Uint8Array>, options?: PutFileOptions): Promise<FileRecord>
  statFile (path: string, options?: ReadOptions): Promise<FileRecord>
  /** range is the raw Range header value, if any; invalid → INVALID_RANGE */
  readFile (path: string, options?: ReadOptions & { rangeHeader?: string }): Promise<FileReadHandle>
  deleteFile (path: string, options?: { ifVersion?: number }): Promise<FileRecord>
  listFiles (options?: ListFilesOptions): Promise<FileListing>
  readChunk (cid: string, options?: { signal?: AbortSignal }): Promise<ChunkReadHandle>
  status (): Promise<NodeStatus>
  collectGarbage (options?: GcOptions): Promise<GcReport>
}

/**
 * Options of the single-node implementation, `openLocalFileService(init)` exported from
 * src/files/local-file-service.ts, which returns `Promise<LocalFileService>`.
 */
export interface LocalFileServiceInit {
  readonly dataDir: string
  /** default chunk size for new files; 64 KiB ≤ n ≤ 256 MiB */
  readonly chunkSizeBytes: number
  /** unreferenced chunks and temp files younger than this are not collected */
  readonly gcGraceMs: number
  /** largest accepted file; larger uploads fail with PAYLOAD_TOO_LARGE */
  readonly maxFileSizeBytes?: number
  /** copies per chunk when a put does not say @default 3 */
  readonly defaultReplicationFactor?: number
  /** disk space chunks never take; a put that would eat into it is NO_SPACE (with 0, one that does not fit beside the writes in flight) @default 0 */
  readonly reservedFreeBytes?: number
  /** for tests only: every replica must apply the same bound @default MAX_NAMESPACE_SNAPSHOT_BYTES */
  readonly maxNamespaceSnapshotBytes?: number
  readonly nodeId?: string
  readonly version: string
  /** a pino logger (typed loosely to keep this contract free of the logging library) */
  readonly logger?: { info (obj: object, msg?: string): void, warn (obj: object, msg?: string): void, error (obj: object, msg?: string): void }
}

export interface LocalFileService extends FileService {
  close (): Promise<void>
}
