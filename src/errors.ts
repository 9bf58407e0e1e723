// One registry of operating errors. Codes are stable: clients and scripts match on them,
// the HTTP layer maps them to statuses, and a test checks they are unique and documented.
// Programmer errors are not here: they are assertion failures (see util/assert.ts) and crash.

export interface ErrorCodeInfo {
  readonly httpStatus: number
  readonly description: string
}

export const ERROR_CODES = {
  // input
  INVALID_PATH: { httpStatus: 400, description: 'The file path is empty, too long, has a control character or NUL, or a "." / ".." segment.' },
  INVALID_CID: { httpStatus: 400, description: 'The chunk id is not a CIDv1 raw / sha2-256 string.' },
  INVALID_RANGE: { httpStatus: 416, description: 'The Range header is malformed or outside the file.' },
  INVALID_ARGUMENT: { httpStatus: 400, description: 'A parameter (limit, cursor, chunk size, replication, ...) is out of range or malformed.' },
  INVALID_CONFIG: { httpStatus: 500, description: 'A configuration value (flag, JADFS_* variable) is invalid.' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, description: 'The upload is larger than the configured maximum file size.' },
  UPLOAD_INCOMPLETE: { httpStatus: 400, description: 'The client sent fewer bytes than it declared, or disconnected mid-upload. Nothing was stored.' },
  CHECKSUM_MISMATCH: { httpStatus: 400, description: 'The uploaded bytes do not match the SHA-256 the client declared.' },
  UNAUTHORIZED: { httpStatus: 401, description: 'The daemon was started with --api-token-file and the request carried no token, or another one.' },
  // state
  FILE_NOT_FOUND: { httpStatus: 404, description: 'No file at that path.' },
  CHUNK_NOT_FOUND: { httpStatus: 404, description: 'No chunk with that id on this node.' },
  CHUNK_UNAVAILABLE: { httpStatus: 503, description: 'The file exists, but no reachable peer could supply one of its chunks right now.' },
  CHUNK_CORRUPT: { httpStatus: 500, description: 'A stored chunk failed its hash check; it was marked bad and its bytes were not served.' },
  PRECONDITION_FAILED: { httpStatus: 412, description: 'The file changed since the version the request named (If-Match).' },
  NO_SPACE: { httpStatus: 507, description: 'The data directory is out of space.' },
  NAMESPACE_FULL: { httpStatus: 507, description: 'The namespace holds as much as one Raft snapshot can carry (about 650,000 small files); delete files, or store fewer, larger ones.' },
  STORAGE_IO: { httpStatus: 500, description: 'Reading or writing the data directory failed.' },
  SHUTTING_DOWN: { httpStatus: 503, description: 'The node is stopping and takes no new requests.' },
  // consensus
  NOT_LEADER: { httpStatus: 503, description: 'This peer is not the Raft leader and could not forward the request.' },
  NO_QUORUM: { httpStatus: 503, description: 'No majority of voters is reachable; writes cannot commit.' },
  PROPOSAL_DROPPED: { httpStatus: 503, description: 'The proposal was dropped (leadership changed or the node is not in the cluster); it may be retried.' },
  REMOVED_FROM_CLUSTER: { httpStatus: 503, description: 'This peer was removed from the Raft configuration.' },
  REPLICATION_UNAVAILABLE: { httpStatus: 503, description: 'Fewer live peers than the replication factor asks for (sync mode); retry when peers are back, lower --replication, or allow fewer copies.' },
  TIMEOUT: { httpStatus: 504, description: 'The operation did not finish within its deadline; its outcome is unknown.' },
  ROUTE_NOT_FOUND: { httpStatus: 404, description: 'No API route matches that method and URL.' },
  // peer to peer
  IDENTITY_CORRUPT: { httpStatus: 500, description: 'The peer identity file in the data directory cannot be decoded; it is never replaced automatically.' },
  PEER_UNREACHABLE: { httpStatus: 503, description: 'A peer could not be dialed, or the protocol could not be opened on it.' },
  PEER_BUSY: { httpStatus: 503, description: 'A per-protocol limit of concurrent streams to a peer was reached; retry later.' },
  MESSAGE_TOO_LARGE: { httpStatus: 502, description: 'A peer sent a protocol message larger than the limit for that protocol.' },
  PROTOCOL_ERROR: { httpStatus: 502, description: 'A peer sent a malformed or unexpected protocol message, or closed the stream mid-message.' },
  DHT_RECORD_REFUSED: { httpStatus: 503, description: 'A peer asked this one to keep a DHT record it does not keep: a value record (only provider records are used), or a provider record past the limits on records kept from one peer or in total.' },
  // client side
  CLUSTER_START_FAILED: { httpStatus: 500, description: 'The local cluster harness could not start its daemons (one exited, did not come up or did not join in time, or the directory already runs a cluster); the message names the node and shows its log.' },
  DAEMON_UNREACHABLE: { httpStatus: 503, description: 'The CLI could not connect to the daemon API.' },
  INTERRUPTED: { httpStatus: 499, description: 'The CLI was interrupted (SIGINT/SIGTERM) and stopped the transfer; nothing partial was left locally.' },
  INTERNAL: { httpStatus: 500, description: 'An unexpected error; see the daemon log.' }
} as const satisfies Record<string, ErrorCodeInfo>

export type ErrorCode = keyof typeof ERROR_CODES

export class JadfsError extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor (code: ErrorCode, message: string, options?: { cause?: unknown, details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'JadfsError'
    this.code = code
    if (options?.details !== undefined) this.details = options.details
  }

  get httpStatus (): number {
    return ERROR_CODES[this.code].httpStatus
  }
}

export function isJadfsError (err: unknown, code?: ErrorCode): err is JadfsError {
  return err instanceof JadfsError && (code === undefined || err.code === code)
}
