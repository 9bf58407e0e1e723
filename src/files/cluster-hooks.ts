// Where a cluster plugs into the file service. Without hooks the service is a single node
// that numbers its own namespace commands; with them, commands go through the Raft log,
// reads wait for a ReadIndex barrier, chunks are copied to peers as they are written, and
// chunks stored elsewhere are fetched before they are read.
import type { NamespaceCommand } from '../namespace/commands.js'
import type { ApplyResult } from '../namespace/state-machine.js'
import type { StoredChunk } from '../store/chunk-store.js'
import type { ChunkRef, ReplicationPolicy } from './file-service.js'

export interface PutReplication {
  readonly policy: ReplicationPolicy
  /** true when the caller named the factor; a default factor accepts fewer copies and records the debt */
  readonly explicitFactor: boolean
  readonly allowFewer: boolean
  readonly signal: AbortSignal | undefined
}

export interface ReadSession {
  /** resolves once the chunk is stored here (fetched and verified if it was not) */
  beforeOpen: (chunk: ChunkRef) => Promise<void>
}

export interface ClusterHooks {
  /** proposes the command and resolves with its result once applied here */
  applyCommand: (command: NamespaceCommand, signal?: AbortSignal) => Promise<ApplyResult>
  /** linearizable reads: resolves once this node applied everything committed before the call */
  readBarrier: (signal?: AbortSignal) => Promise<void>
  /** fails fast, before any byte is uploaded, when a sync put cannot get its copies */
  checkReplication: (replication: Omit<PutReplication, 'signal'>) => void
  /** called for each chunk once it is durable here */
  replicateChunk: (chunk: StoredChunk, replication: PutReplication) => Promise<void>
  /** one per read: may prefetch the following chunks while earlier ones stream */
  openRead: (chunks: readonly ChunkRef[], signal: AbortSignal | undefined) => ReadSession
  /** garbage collection removed this chunk's file here */
  chunkRemoved: (cid: string) => void
  /** of these cached copies, the ones some live peer holds as a copy (which may be evicted) */
  confirmEvictable: (cids: readonly string[]) => Promise<ReadonlySet<string>>
}
