// The put pipeline: body → chunker → (hash + temp file) per chunk → commit → one namespace
// command. Chunks are durable before the command that references them is applied, so a
// visible file never points at missing bytes. On any failure nothing is applied: the temp
// file in progress is removed, and chunks already committed that this put created are removed
// too unless something else uses them or stored them again meanwhile (a peer's push). Once the
// command is proposed, a failure (a timeout) may still be applied later, so its chunks are left
// unreferenced for GC's grace period.
//
// A chunk's commit (fdatasync, rename, directory fsync) overlaps with writing the next chunk;
// at most one commit is outstanding, which bounds memory and open files.
import { createHash } from 'node:crypto'
import { splitIntoChunks } from '../chunk/chunker.js'
import { JadfsError } from '../errors.js'
import { MAX_CHUNKS_PER_FILE } from '../namespace/commands.js'
import type { NamespaceCommand, NewFileRecord } from '../namespace/commands.js'
import type { ApplyResult } from '../namespace/state-machine.js'
import type { ChunkStore, CommittedChunk, StoredChunk } from '../store/chunk-store.js'
import type { ChunkWriter } from '../store/chunk-writer.js'
import type { ChunkRef, FileRecord } from './file-service.js'
import { guardSource } from './guarded-source.js'
import type { ResolvedPutOptions } from './put-options.js'
import { assert } from '../util/assert.js'

export interface PutPipelineComponents {
  readonly chunks: ChunkStore
  /** assigns the next log index and applies; in a cluster, propose-and-wait on the Raft log */
  readonly applyCommand: (command: NamespaceCommand) => ApplyResult | Promise<ApplyResult>
  /**
   * Runs after each chunk is durable here, overlapping with writing the next chunk: in a
   * cluster, copies it to other peers (sync) or records the debt (async). The file is proposed
   * only after every chunk's replication settled, so a visible file has its copies.
   */
  readonly replicateChunk?: (chunk: StoredChunk) => Promise<void>
  /**
   * Before each chunk is written: claims room for it on the disk (released once the chunk is
   * committed or abandoned), or throws NO_SPACE
   */
  readonly claimRoom?: (sizeBytes: number, signal: AbortSignal | undefined) => Promise<() => void>
  /** a chunk this put created was removed again because the put failed (a cluster un-announces it) */
  readonly onDiscarded?: (cid: string) => void
  readonly currentVersion: (path: string) => number
  /** throws NAMESPACE_FULL if the namespace has no room for a file of this size (a forecast) */
  readonly checkNamespaceRoom: (path: string, sizeBytes: number, chunkSizeBytes: number) => void
  readonly maxFileSizeBytes: number
  readonly nowMs: () => number
}

type Commit = Promise<CommittedChunk>

/**
 * Chunks being copied to peers at once. Copies of chunk i overlap with writing chunk i+1 and
 * with the copies of the chunks before it; the bound keeps open files and streams in check.
 */
export const MAX_CHUNKS_REPLICATING = 3

export async function putFile (
  c: PutPipelineComponents,
  path: string,
  body: AsyncIterable<Uint8Array>,
  options: ResolvedPutOptions,
  signal: AbortSignal | undefined
): Promise<FileRecord> {
  if (options.ifVersion !== undefined) checkPrecondition(path, c.currentVersion(path), options.ifVersion)
  const limit = fileSizeLimit(c.maxFileSizeBytes, options.chunkSizeBytes)
  if (options.expectedSizeBytes !== undefined && options.expectedSizeBytes > limit.bytes) throw tooLarge(limit)
  if (options.expectedSizeBytes !== undefined) c.checkNamespaceRoom(path, options.expectedSizeBytes, options.chunkSizeBytes)

  const fileHash = createHash('sha256')
  const commits: Commit[] = []
  const replications: Array<Promise<void>> = []
  let writer: ChunkWriter | null = null
  let releaseRoom: (() => void) | undefined
  let totalBytes = 0
  let proposed = false
  try {
    for await (const event of splitIntoChunks(guardSource(body, signal), options.chunkSizeBytes)) {
      if (event.kind === 'data') {
        totalBytes += event.bytes.byteLength
        if (totalBytes > limit.bytes) throw tooLarge(limit)
        if (options.expectedSizeBytes !== undefined && totalBytes > options.expectedSizeBytes) {
          throw new JadfsError('INVALID_ARGUMENT', `the body is longer than the declared ${options.expectedSizeBytes} bytes`)
        }
        fileHash.update(event.bytes)
        if (writer === null) {
          const left = options.expectedSizeBytes === undefined ? Infinity : options.expectedSizeBytes - (totalBytes - event.bytes.byteLength)
          // with the put's signal: a client gone while its chunk waits for room gives up its turn
          releaseRoom = await c.claimRoom?.(Math.min(options.chunkSizeBytes, left), signal)
          writer = await c.chunks.createWriter()
        }
        await writer.write(event.bytes)
      } else {
        assert(writer !== null, 'a chunk ended without data')
        // one outstanding commit at a time; if the previous one failed, `writer` is still set
        // and the finally block removes its temp file
        if (commits.length > 0) await commits[commits.length - 1]
        const replicate = c.replicateChunk
        if (replicate !== undefined && replications.length >= MAX_CHUNKS_REPLICATING) await replications[replications.length - MAX_CHUNKS_REPLICATING]
        const commit = c.chunks.commit(writer)
        writer = null
        // once committed (or failed) the chunk is on disk (or gone): the free space shows it
        const committed = releaseRoom
        releaseRoom = undefined
        commit.finally(() => { committed?.() }).catch(() => {})
        commits.push(commit)
        if (replicate !== undefined) {
          const replication = commit.then(async (stored) => { await replicate(stored.chunk) })
          replication.catch(() => {})
          replications.push(replication)
        }
      }
    }
    const stored = await Promise.all(commits)
    await Promise.all(replications)
    const chunks: ChunkRef[] = stored.map((s) => s.chunk)

    if (options.expectedSizeBytes !== undefined && totalBytes < options.expectedSizeBytes) {
      throw new JadfsError('UPLOAD_INCOMPLETE', `received ${totalBytes} of the declared ${options.expectedSizeBytes} bytes; nothing was stored`)
    }
    const sha256 = fileHash.digest('hex')
    if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) {
      throw new JadfsError('CHECKSUM_MISMATCH', `the body has SHA-256 ${sha256}, the client declared ${options.expectedSha256}; nothing was stored`)
    }
    const record: NewFileRecord = {
      path,
      sizeBytes: totalBytes,
      sha256,
      chunkSizeBytes: options.chunkSizeBytes,
      chunks,
      replication: options.replication,
      modifiedAtMs: c.nowMs()
    }
    // from here a failure may still be applied later (a timeout's outcome is unknown): the
    // chunks must then stay for the command that may name them
    proposed = true
    const result = await c.applyCommand({ type: 'putFile', record, ...(options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion }) })
    if (result.status === 'rejected') {
      // applied as refused: no command will ever name these chunks, so they need not wait for GC
      proposed = false
      throw new JadfsError(result.code, `${result.message}; nothing was stored`)
    }
    assert(result.status === 'applied' && result.command === 'putFile', 'a fresh index was not applied', result)
    return result.record
  } finally {
    if (writer !== null) await writer.abort().catch(() => {})
    releaseRoom?.()
    // copies still in flight hold pins and streams: let them settle before releasing
    await Promise.allSettled(replications)
    const settledCommits = await Promise.allSettled(commits)
    for (const settled of settledCommits) {
      if (settled.status === 'fulfilled') settled.value.release()
    }
    // a failed put leaves nothing behind: the chunks it created go now, not after the grace
    // period (they would hold disk space a full peer needs); shared ones stay
    if (!proposed) await discardCreated(c, settledCommits)
  }
}

async function discardCreated (c: PutPipelineComponents, commits: ReadonlyArray<PromiseSettledResult<CommittedChunk>>): Promise<void> {
  for (const settled of commits) {
    if (settled.status !== 'fulfilled' || !settled.value.created) continue
    const { cid } = settled.value.chunk
    try {
      if (await c.chunks.discardIfUnused(cid, settled.value.timesStored)) c.onDiscarded?.(cid)
    } catch {
      // left for the garbage collector, as before
    }
  }
}

function checkPrecondition (path: string, currentVersion: number, ifVersion: number): void {
  if (currentVersion === ifVersion) return
  throw new JadfsError('PRECONDITION_FAILED', ifVersion === 0
    ? `${path} already exists (version ${currentVersion})`
    : `${path} is at version ${currentVersion}, not ${ifVersion}`)
}

interface FileSizeLimit {
  readonly bytes: number
  /** set when the chunk count, not --max-file-size, is what limits this upload */
  readonly byChunkCount: boolean
}

/** the largest file this put may store: the configured maximum, or fewer bytes when its chunks would be too many */
export function fileSizeLimit (maxFileSizeBytes: number, chunkSizeBytes: number): FileSizeLimit {
  const byChunks = MAX_CHUNKS_PER_FILE * chunkSizeBytes
  return byChunks < maxFileSizeBytes ? { bytes: byChunks, byChunkCount: true } : { bytes: maxFileSizeBytes, byChunkCount: false }
}

function tooLarge (limit: FileSizeLimit): JadfsError {
  const message = limit.byChunkCount
    ? `the upload exceeds ${limit.bytes} bytes, the largest file of at most ${MAX_CHUNKS_PER_FILE} chunks at this chunk size; use a larger chunk size; nothing was stored`
    : `the upload exceeds the maximum file size of ${limit.bytes} bytes; nothing was stored`
  return new JadfsError('PAYLOAD_TOO_LARGE', message, { details: { maxFileSizeBytes: limit.bytes, maxChunks: MAX_CHUNKS_PER_FILE } })
}
