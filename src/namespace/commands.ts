// Commands of the namespace state machine and their wire encoding (UTF-8 JSON of a
// zod-checked shape). A command must be fully determined when proposed: applying it on any
// replica, at any later time, gives the same namespace. So versions and creation times are
// derived at apply time from the state, never from a clock.
import { z } from 'zod'
import { parseChunkCid } from '../chunk/cid.js'
import { MAX_CHUNK_SIZE_BYTES, MIN_CHUNK_SIZE_BYTES } from '../chunk/chunk-size.js'
import { JadfsError } from '../errors.js'
import { normalisePath } from './path.js'

/**
 * The replication factor a file record in the log or a snapshot may carry. Puts were once
 * allowed up to 64 copies and are now held to MAX_REPLICATION_FACTOR (16) before they are
 * proposed; entries written under the old bound may still be in a log, and every replica
 * must keep applying them the same way, so the record's own bound stays where it was.
 */
export const MAX_RECORDED_REPLICATION_FACTOR = 64
/**
 * Chunks of one file. A put is one Raft entry listing every chunk (about 100 bytes each as
 * JSON), and the Raft core refuses an entry over maxEntryBytes (16 MiB in the daemon,
 * RAFT_MESSAGE_LIMITS), the bound that keeps one entry within a Raft message; 100,000 chunks
 * keep an entry near 10 MiB. At the default 64 MiB chunk size that is a file of 6.1 TiB, at
 * 1 MiB about 98 GiB.
 */
export const MAX_CHUNKS_PER_FILE = 100_000

const isValid = (check: (v: string) => unknown) => (v: string): boolean => {
  try {
    check(v)
    return true
  } catch {
    return false
  }
}

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const pathSchema = z.string().refine(isValid(normalisePath), 'invalid path')

export const chunkRefSchema = z.object({
  cid: z.string().refine(isValid(parseChunkCid), 'invalid chunk id'),
  sizeBytes: z.number().int().min(1).max(MAX_CHUNK_SIZE_BYTES)
}).strict()

export const replicationSchema = z.object({
  factor: z.number().int().min(1).max(MAX_RECORDED_REPLICATION_FACTOR),
  mode: z.enum(['sync', 'async'])
}).strict()

/** a file record as proposed: version and createdAtMs are assigned when applied */
export const newFileRecordSchema = z.object({
  path: pathSchema,
  sizeBytes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex characters'),
  chunkSizeBytes: z.number().int().min(MIN_CHUNK_SIZE_BYTES).max(MAX_CHUNK_SIZE_BYTES),
  chunks: z.array(chunkRefSchema).max(MAX_CHUNKS_PER_FILE),
  replication: replicationSchema,
  modifiedAtMs: count
}).strict().superRefine((record, ctx) => {
  let totalBytes = 0
  record.chunks.forEach((chunk, i) => {
    totalBytes += chunk.sizeBytes
    const isLast = i === record.chunks.length - 1
    if (isLast ? chunk.sizeBytes > record.chunkSizeBytes : chunk.sizeBytes !== record.chunkSizeBytes) {
      ctx.addIssue({ code: 'custom', message: `chunk ${i} has ${chunk.sizeBytes} bytes with chunk size ${record.chunkSizeBytes}` })
    }
  })
  if (totalBytes !== record.sizeBytes) {
    ctx.addIssue({ code: 'custom', message: `chunks add up to ${totalBytes} bytes, file size is ${record.sizeBytes}` })
  }
})

export const fileRecordSchema = newFileRecordSchema.and(z.object({ createdAtMs: count, version: z.number().int().min(1) }))

export const putFileCommandSchema = z.object({
  type: z.literal('putFile'),
  record: newFileRecordSchema,
  /** apply only if the current version is this (0 = the path must be free) */
  ifVersion: count.optional()
}).strict()

export const deleteFileCommandSchema = z.object({
  type: z.literal('deleteFile'),
  path: pathSchema,
  ifVersion: count.optional()
}).strict()

export const namespaceCommandSchema = z.discriminatedUnion('type', [putFileCommandSchema, deleteFileCommandSchema])

export type NewFileRecord = z.infer<typeof newFileRecordSchema>
export type PutFileCommand = z.infer<typeof putFileCommandSchema>
export type DeleteFileCommand = z.infer<typeof deleteFileCommandSchema>
export type NamespaceCommand = z.infer<typeof namespaceCommandSchema>

export function encodeCommand (command: NamespaceCommand): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(namespaceCommandSchema.parse(command)))
}

/** decodes and validates; malformed input (from a log or a peer) is INVALID_ARGUMENT */
export function decodeCommand (bytes: Uint8Array): NamespaceCommand {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new JadfsError('INVALID_ARGUMENT', 'namespace command is not UTF-8 JSON', { cause: err })
  }
  const parsed = namespaceCommandSchema.safeParse(json)
  if (!parsed.success) {
    throw new JadfsError('INVALID_ARGUMENT', `malformed namespace command: ${z.prettifyError(parsed.error)}`)
  }
  return parsed.data
}
