// The namespace as a state machine. apply(index, command) changes the files table, the chunk
// refcounts and applied_index in ONE SQLite transaction, so a crash leaves the namespace at
// some whole applied index and a log can resume from applied_index + 1. Replaying an index
// already applied does nothing. A command whose precondition fails is still "applied" (the
// index advances) with a rejected result: every replica reaches the same verdict.
import { z } from 'zod'
import { JadfsError } from '../errors.js'
import type { FileRecord } from '../files/file-service.js'
import type { ChunkIndex } from '../store/chunk-index.js'
import type { Db } from '../store/database.js'
import { assert } from '../util/assert.js'
import { decodeCommand, fileRecordSchema, type DeleteFileCommand, type NamespaceCommand, type PutFileCommand } from './commands.js'
import { isJadfsError } from '../errors.js'
import { FileTable } from './file-table.js'
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js'

export type ApplyResult =
  | { readonly status: 'applied', readonly command: 'putFile', readonly record: FileRecord, readonly replaced: FileRecord | null }
  | { readonly status: 'applied', readonly command: 'deleteFile', readonly record: FileRecord }
  | { readonly status: 'rejected', readonly code: 'PRECONDITION_FAILED' | 'FILE_NOT_FOUND' | 'INVALID_ARGUMENT', readonly message: string }
  /** index was at or below applied_index: a replay, nothing changed */
  | { readonly status: 'skipped' }

export interface NamespaceComponents {
  readonly db: Db
  readonly chunks: ChunkIndex
  /** local clock, only for chunk bookkeeping (GC grace); never for namespace state */
  readonly nowMs: () => number
}

const SNAPSHOT_FORMAT = 1
const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  appliedIndex: z.number().int().min(0),
  files: z.array(fileRecordSchema)
})

export class NamespaceStateMachine {
  readonly files: FileTable
  private readonly readIndex: () => number
  private readonly writeIndex: (index: number) => void

  constructor (private readonly c: NamespaceComponents) {
    this.files = new FileTable(c.db)
    const select = c.db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'applied_index'")
    const update = c.db.prepare<[number]>("UPDATE meta SET value = ? WHERE key = 'applied_index'")
    this.readIndex = () => {
      const row = select.get()
      assert(row !== undefined, 'meta row applied_index is missing')
      return row.value
    }
    this.writeIndex = (index) => { update.run(index) }
  }

  get appliedIndex (): number {
    return this.readIndex()
  }

  get (path: string): FileRecord | undefined {
    return this.files.get(path)
  }

  apply (index: number, command: NamespaceCommand): ApplyResult {
    assert(Number.isSafeInteger(index) && index > 0, 'log index must be a positive integer', { index })
    return this.c.db.transaction((): ApplyResult => {
      if (index <= this.readIndex()) return { status: 'skipped' }
      const result = command.type === 'putFile' ? this.applyPut(command) : this.applyDelete(command)
      this.writeIndex(index)
      return result
    }).immediate()
  }

  /**
   * Applies an encoded command from a replicated log. A committed entry that does not decode
   * still consumes its index (rejected, INVALID_ARGUMENT): every replica must make the same
   * decision, and none may stall on it.
   */
  applyEncoded (index: number, payload: Uint8Array): ApplyResult {
    let command: NamespaceCommand
    try {
      command = decodeCommand(payload)
    } catch (err) {
      if (!isJadfsError(err, 'INVALID_ARGUMENT')) throw err
      return this.c.db.transaction((): ApplyResult => {
        if (index <= this.readIndex()) return { status: 'skipped' }
        this.writeIndex(index)
        return { status: 'rejected', code: 'INVALID_ARGUMENT', message: err.message }
      }).immediate()
    }
    return this.apply(index, command)
  }

  /** the whole namespace and its applied index, self-describing (snapshot-codec.ts) */
  snapshot (): Uint8Array {
    const snapshot = this.c.db.transaction(() => ({
      format: SNAPSHOT_FORMAT,
      appliedIndex: this.readIndex(),
      files: this.files.all()
    }))()
    return encodeSnapshot(snapshot)
  }

  /**
   * Replaces the namespace with a snapshot taken at log index `index` (applied_index becomes
   * `index`) and recomputes every
   * chunk refcount from it. Chunks it references that this node lacks get rows in state
   * 'absent'; local chunks it no longer references become collectable after the grace period.
   */
  restore (data: Uint8Array, index: number): void {
    assert(Number.isSafeInteger(index) && index >= 0, 'snapshot index must be a non-negative integer', { index })
    const parsed = snapshotSchema.safeParse(decodeSnapshot(data))
    if (!parsed.success) throw new JadfsError('INVALID_ARGUMENT', `malformed namespace snapshot: ${z.prettifyError(parsed.error)}`)
    // the log may hold entries that are not namespace commands (no-ops, membership changes)
    // after the last one applied here, so a snapshot index can be ahead of the embedded one
    if (parsed.data.appliedIndex > index) {
      throw new JadfsError('INVALID_ARGUMENT', `snapshot holds commands up to index ${parsed.data.appliedIndex}, beyond its index ${index}`)
    }
    const refs = new Map<string, { sizeBytes: number, refs: number }>()
    for (const record of parsed.data.files) {
      for (const chunk of record.chunks) {
        const entry = refs.get(chunk.cid)
        refs.set(chunk.cid, { sizeBytes: chunk.sizeBytes, refs: (entry?.refs ?? 0) + 1 })
      }
    }
    this.c.db.transaction(() => {
      this.files.clear()
      for (const record of parsed.data.files) this.files.put(record)
      this.c.chunks.resetRefcounts(refs, this.c.nowMs())
      this.writeIndex(index)
    }).immediate()
  }

  private applyPut (command: PutFileCommand): ApplyResult {
    const existing = this.files.get(command.record.path)
    const rejected = checkVersion(command.record.path, existing, command.ifVersion)
    if (rejected !== null) return rejected
    const proposed = command.record
    const record: FileRecord = {
      path: proposed.path,
      sizeBytes: proposed.sizeBytes,
      sha256: proposed.sha256,
      chunkSizeBytes: proposed.chunkSizeBytes,
      chunks: proposed.chunks,
      replication: proposed.replication,
      createdAtMs: existing?.createdAtMs ?? proposed.modifiedAtMs,
      modifiedAtMs: proposed.modifiedAtMs,
      version: (existing?.version ?? 0) + 1
    }
    const nowMs = this.c.nowMs()
    // reference the new chunks before releasing the old: a chunk in both never touches zero
    this.c.chunks.addRefs(record.chunks, nowMs)
    if (existing !== undefined) this.c.chunks.releaseRefs(existing.chunks.map((c) => c.cid), nowMs)
    this.files.put(record)
    return { status: 'applied', command: 'putFile', record, replaced: existing ?? null }
  }

  private applyDelete (command: DeleteFileCommand): ApplyResult {
    const existing = this.files.get(command.path)
    if (existing === undefined) return { status: 'rejected', code: 'FILE_NOT_FOUND', message: `no file at ${command.path}` }
    const rejected = checkVersion(command.path, existing, command.ifVersion)
    if (rejected !== null) return rejected
    this.c.chunks.releaseRefs(existing.chunks.map((c) => c.cid), this.c.nowMs())
    this.files.delete(command.path)
    return { status: 'applied', command: 'deleteFile', record: existing }
  }
}

function checkVersion (path: string, existing: FileRecord | undefined, ifVersion: number | undefined): ApplyResult | null {
  if (ifVersion === undefined) return null
  const currentVersion = existing?.version ?? 0
  if (currentVersion === ifVersion) return null
  return {
    status: 'rejected',
    code: 'PRECONDITION_FAILED',
    message: ifVersion === 0
      ? `${path} already exists (version ${currentVersion})`
      : `${path} is at version ${currentVersion}, not ${ifVersion}`
  }
}
