// How much of a snapshot the namespace takes, and how much it may take. A snapshot carries the
// whole namespace as one JSON document in one Raft message (snapshot-codec.ts): past the
// bounds of that message a peer that falls behind, or a new one, can never catch up, and past
// V8's string limit the leader cannot even take a snapshot. So the namespace is bounded by
// the JSON it makes, not by a file count: a file of 100,000 chunks takes as much as 25,000
// small files.
//
// The bound is a rule of the replicated state machine: every replica applies the same commands
// to the same files and so reaches the same verdict. Changing the bound is a format change (a
// cluster of mixed versions would disagree about which puts to apply).
import type { FileRecord } from '../files/file-service.js'
import { CHUNK_CID_LENGTH } from '../chunk/cid.js'
import { MAX_RECORDED_REPLICATION_FACTOR } from './commands.js'

/**
 * The namespace's JSON in a snapshot may not grow past this. Below the JSON a snapshot may
 * inflate to (384 MiB) and, compressed or not, below the largest snapshot a peer accepts
 * (256 MiB), with room for the snapshot's own fields and its table of applied proposals
 * (raft/proposal-window.ts, at most about 2 MiB; tests check both limits). About 650,000 small files, or 2.7 million
 * chunk references (170 TiB of files at the default 64 MiB chunk size).
 */
export const MAX_NAMESPACE_SNAPSHOT_BYTES = 240 * 1024 * 1024

/**
 * The bytes one file takes in a snapshot's JSON (its record and the comma after it). Counted
 * from the fields a snapshot holds, so an object carrying more (a chunk ref with extra
 * properties) counts the same as the record read back from the database. Only the small
 * fields are serialised: the chunk list (up to 100,000 refs, counted on every put applied)
 * is counted, since chunk ids are plain ASCII and sizes plain integers.
 */
export function recordSnapshotBytes (record: FileRecord): number {
  const withoutChunks: FileRecord = {
    path: record.path,
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    chunkSizeBytes: record.chunkSizeBytes,
    chunks: [],
    replication: { factor: record.replication.factor, mode: record.replication.mode },
    createdAtMs: record.createdAtMs,
    modifiedAtMs: record.modifiedAtMs,
    version: record.version
  }
  // each ref and a comma, but for the last
  let chunkBytes = record.chunks.length > 0 ? -1 : 0
  for (const chunk of record.chunks) chunkBytes += chunkRefBytes(chunk.cid.length, chunk.sizeBytes)
  return Buffer.byteLength(JSON.stringify(withoutChunks)) + chunkBytes + 1
}

/**
 * An upper estimate of recordSnapshotBytes for a file not uploaded yet, from its path, size
 * and chunk size: lets a put be refused before its bytes are sent.
 */
export function estimateRecordSnapshotBytes (path: string, sizeBytes: number, chunkSizeBytes: number): number {
  const skeleton: FileRecord = {
    path,
    sizeBytes,
    sha256: '0'.repeat(64),
    chunkSizeBytes,
    chunks: [],
    replication: { factor: MAX_RECORDED_REPLICATION_FACTOR, mode: 'async' },
    createdAtMs: Number.MAX_SAFE_INTEGER,
    modifiedAtMs: Number.MAX_SAFE_INTEGER,
    version: Number.MAX_SAFE_INTEGER
  }
  return recordSnapshotBytes(skeleton) + Math.ceil(sizeBytes / chunkSizeBytes) * chunkRefBytes(CHUNK_CID_LENGTH, chunkSizeBytes)
}

/** `{"cid":"…","sizeBytes":n}` and a comma after it */
function chunkRefBytes (cidLength: number, sizeBytes: number): number {
  return CHUNK_REF_SYNTAX_BYTES + cidLength + String(sizeBytes).length + 1
}

const CHUNK_REF_SYNTAX_BYTES = '{"cid":"","sizeBytes":}'.length
