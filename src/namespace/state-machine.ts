// The namespace as a state machine. apply(index, command) changes the files table, the chunk
// refcounts and applied_index in ONE SQLite transaction, so a crash leaves the namespace at
// some whole applied index and a log can resume from applied_index + 1. Replaying an index
// already applied does nothing. A command whose precondition fails is still "applied" (the
// index advances) with a rejected result: every replica reaches the same verdict. A copy of a
// Raft proposal already applied, or committed too late, is skipped in the same transaction
// (raft/proposal-window.ts): the table of applied proposals lives here, and in snapshots.
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
import { estimateRecordSnapshotBytes, MAX_NAMESPACE_SNAPSHOT_BYTES, recordSnapshotBytes } from './namespace-size.js'
import { forgetProposedBefore, isTagId, judgeProposal, PROPOSAL_WINDOW_ENTRIES, SkippedProposal, type ProposalTag, type ProposalVerdict } from '../raft/proposal-window.js'

export type ApplyResult =
  | { readonly status: 'applied', readonly command: 'putFile', readonly record: FileRecord, readonly replaced: FileRecord | null }
  | { readonly status: 'applied', readonly command: 'deleteFile', readonly record: FileRecord }
  | { readonly status: 'rejected', readonly code: 'PRECONDITION_FAILED' | 'FILE_NOT_FOUND' | 'INVALID_ARGUMENT' | 'NAMESPACE_FULL', readonly message: string }
  /** index was at or below applied_index: a replay, nothing changed */
  | { readonly status: 'skipped' }

export interface NamespaceComponents {
  readonly db: Db
  readonly chunks: ChunkIndex
  /** local clock, only for chunk bookkeeping (GC grace); never for namespace state */
  readonly nowMs: () => number
  /** for tests only: every replica must use the same bound @default MAX_NAMESPACE_SNAPSHOT_BYTES */
  readonly maxSnapshotBytes?: number
  /** for tests only: every replica must use the same window @default PROPOSAL_WINDOW_ENTRIES */
  readonly proposalWindow?: number
}

const SNAPSHOT_FORMAT = 1
/** snapshot_bytes as migration 3 leaves it */
const NOT_COUNTED = -1
const snapshotSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  appliedIndex: z.number().int().min(0),
  files: z.array(fileRecordSchema),
  // absent from the snapshots of builds before the table
  proposals: z.array(z.tuple([z.string().refine(isTagId, 'not a proposal id'), z.number().int().min(0)])).max(PROPOSAL_WINDOW_ENTRIES).default([])
})

export class NamespaceStateMachine {
  readonly files: FileTable
  private readonly readIndex: () => number
  private readonly writeIndex: (index: number) => void
  private readonly readSnapshotBytes: () => number
  private readonly writeSnapshotBytes: (bytes: number) => void
  private readonly maxSnapshotBytes: number
  private readonly proposals: AppliedProposals

  constructor (private readonly c: NamespaceComponents) {
    this.files = new FileTable(c.db)
    this.maxSnapshotBytes = c.maxSnapshotBytes ?? MAX_NAMESPACE_SNAPSHOT_BYTES
    this.proposals = new AppliedProposals(c.db, c.proposalWindow ?? PROPOSAL_WINDOW_ENTRIES)
    this.readIndex = metaReader(c.db, 'applied_index')
    this.writeIndex = metaWriter(c.db, 'applied_index')
    this.readSnapshotBytes = metaReader(c.db, 'snapshot_bytes')
    this.writeSnapshotBytes = metaWriter(c.db, 'snapshot_bytes')
    // a data dir from before the bound is counted once, here (migration 3 marks it -1): the
    // exact JSON of each record, which SQL could not compute
    c.db.transaction(() => {
      if (this.readSnapshotBytes() === NOT_COUNTED) this.writeSnapshotBytes(sumSnapshotBytes(this.files.all()))
    }).immediate()
  }

  /** the bytes the files take in a snapshot's JSON (see namespace-size.ts) */
  get snapshotBytes (): number {
    return this.readSnapshotBytes()
  }

  /** the most snapshotBytes may grow to */
  get snapshotLimitBytes (): number {
    return this.maxSnapshotBytes
  }

  /**
   * NAMESPACE_FULL, before an upload starts, if a file of this size would not fit as things
   * stand here. Only a forecast (puts elsewhere may fill the namespace meanwhile): the bound
   * is enforced when the put is applied.
   */
  checkRoomFor (path: string, sizeBytes: number, chunkSizeBytes: number): void {
    const existing = this.files.get(path)
    const before = this.readSnapshotBytes()
    const growth = estimateRecordSnapshotBytes(path, sizeBytes, chunkSizeBytes) - (existing === undefined ? 0 : recordSnapshotBytes(existing))
    if (this.outgrowsBound(before, growth)) throw new JadfsError('NAMESPACE_FULL', this.fullMessage(path, growth, before) + '; nothing was stored')
  }

  get appliedIndex (): number {
    return this.readIndex()
  }

  get (path: string): FileRecord | undefined {
    return this.files.get(path)
  }

  apply (index: number, command: NamespaceCommand): ApplyResult {
    const result = this.applyAt(index, undefined, () => this.applyCommand(command))
    assert(!(result instanceof SkippedProposal), 'only a tagged proposal is skipped')
    return result
  }

  /**
   * Applies an encoded command from a replicated log. A committed entry that does not decode
   * still consumes its index (rejected, INVALID_ARGUMENT): every replica must make the same
   * decision, and none may stall on it. A copy of a proposal this namespace applied already,
   * or one committed too late (proposal-window.ts), consumes its index and changes nothing else.
   */
  applyEncoded (index: number, payload: Uint8Array, proposal?: ProposalTag): ApplyResult | SkippedProposal {
    return this.applyAt(index, proposal, () => {
      let command: NamespaceCommand
      try {
        command = decodeCommand(payload)
      } catch (err) {
        if (!isJadfsError(err, 'INVALID_ARGUMENT')) throw err
        return { status: 'rejected', code: 'INVALID_ARGUMENT', message: err.message }
      }
      return this.applyCommand(command)
    })
  }

  /** what a copy of this proposal committed at `index` would be judged; changes nothing */
  proposalVerdict (tag: ProposalTag, index: number): ProposalVerdict {
    return this.proposals.verdict(index, tag)
  }

  private applyAt (index: number, proposal: ProposalTag | undefined, run: () => ApplyResult): ApplyResult | SkippedProposal {
    assert(Number.isSafeInteger(index) && index > 0, 'log index must be a positive integer', { index })
    return this.c.db.transaction((): ApplyResult | SkippedProposal => {
      if (index <= this.readIndex()) return { status: 'skipped' }
      const verdict = proposal === undefined ? 'apply' : this.proposals.judge(index, proposal)
      const result = verdict === 'apply' ? run() : new SkippedProposal(verdict)
      this.writeIndex(index)
      return result
    }).immediate()
  }

  private applyCommand (command: NamespaceCommand): ApplyResult {
    return command.type === 'putFile' ? this.applyPut(command) : this.applyDelete(command)
  }

  /** the whole namespace and its applied index, self-describing (snapshot-codec.ts) */
  snapshot (): Uint8Array {
    const snapshot = this.c.db.transaction(() => ({
      format: SNAPSHOT_FORMAT,
      appliedIndex: this.readIndex(),
      files: this.files.all(),
      proposals: this.proposals.all(this.readIndex())
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
      this.proposals.replace(parsed.data.proposals)
      this.c.chunks.resetRefcounts(refs, this.c.nowMs())
      this.writeIndex(index)
      // not checked against the bound: the leader's namespace is what it is, and refusing it
      // would leave this peer unable to catch up at all
      this.writeSnapshotBytes(sumSnapshotBytes(parsed.data.files))
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
    const before = this.readSnapshotBytes()
    const after = before - (existing === undefined ? 0 : recordSnapshotBytes(existing)) + recordSnapshotBytes(record)
    if (this.outgrowsBound(before, after - before)) {
      return { status: 'rejected', code: 'NAMESPACE_FULL', message: this.fullMessage(record.path, after - before, before) }
    }
    this.writeSnapshotBytes(after)
    const nowMs = this.c.nowMs()
    // reference the new chunks before releasing the old: a chunk in both never touches zero
    this.c.chunks.addRefs(record.chunks, nowMs)
    if (existing !== undefined) this.c.chunks.releaseRefs(existing.chunks.map((c) => c.cid), nowMs)
    this.files.put(record)
    return { status: 'applied', command: 'putFile', record, replaced: existing ?? null }
  }

  /** the bound's one rule, for the forecast and for the apply: a put that shrinks the
   * namespace is always taken, even above a bound lowered since */
  private outgrowsBound (before: number, growth: number): boolean {
    return growth > 0 && before + growth > this.maxSnapshotBytes
  }

  private fullMessage (path: string, growth: number, before: number): string {
    return `the namespace is full: ${path} would take ${growth} more bytes of its ${this.maxSnapshotBytes}-byte ` +
      `snapshot, which has ${Math.max(0, this.maxSnapshotBytes - before)} left; delete files, or store fewer, ` +
      'larger ones (a larger chunk size lists fewer chunks)'
  }

  private applyDelete (command: DeleteFileCommand): ApplyResult {
    const existing = this.files.get(command.path)
    if (existing === undefined) return { status: 'rejected', code: 'FILE_NOT_FOUND', message: `no file at ${command.path}` }
    const rejected = checkVersion(command.path, existing, command.ifVersion)
    if (rejected !== null) return rejected
    this.c.chunks.releaseRefs(existing.chunks.map((c) => c.cid), this.c.nowMs())
    this.files.delete(command.path)
    this.writeSnapshotBytes(this.readSnapshotBytes() - recordSnapshotBytes(existing))
    return { status: 'applied', command: 'deleteFile', record: existing }
  }
}

function metaReader (db: Db, key: string): () => number {
  const select = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?')
  return () => {
    const row = select.get(key)
    assert(row !== undefined, 'meta row is missing', { key })
    return row.value
  }
}

function metaWriter (db: Db, key: string): (value: number) => void {
  const update = db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE key = ?')
  return (value) => {
    assert(Number.isSafeInteger(value) && value >= 0, 'meta value must be a non-negative integer', { key, value })
    update.run(value, key)
  }
}

function sumSnapshotBytes (records: readonly FileRecord[]): number {
  let sum = 0
  for (const record of records) sum += recordSnapshotBytes(record)
  return sum
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

/** the applied_proposals table: ids of applied proposals, by the index they were proposed at */
class AppliedProposals {
  private readonly forgetStmt
  private readonly hasStmt
  private readonly insertStmt
  private readonly allStmt
  private readonly clearStmt

  constructor (db: Db, private readonly window: number) {
    assert(Number.isSafeInteger(window) && window > 0, 'the proposal window must be a positive integer', { window })
    this.forgetStmt = db.prepare<[number]>('DELETE FROM applied_proposals WHERE proposed_at < ?')
    this.hasStmt = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM applied_proposals WHERE id = ?')
    this.insertStmt = db.prepare<[string, number]>('INSERT INTO applied_proposals (id, proposed_at) VALUES (?, ?)')
    this.allStmt = db.prepare<[number], { id: string, proposed_at: number }>('SELECT id, proposed_at FROM applied_proposals WHERE proposed_at >= ? ORDER BY id')
    this.clearStmt = db.prepare('DELETE FROM applied_proposals')
  }

  verdict (index: number, tag: ProposalTag): ProposalVerdict {
    return judgeProposal(index, tag, (id) => this.hasStmt.get(id) !== undefined, this.window)
  }

  /** judges a copy applied at `index` (inside its transaction) and records it if it applies */
  judge (index: number, tag: ProposalTag): ProposalVerdict {
    this.forgetStmt.run(forgetProposedBefore(index, this.window))
    const verdict = this.verdict(index, tag)
    if (verdict === 'apply') this.insertStmt.run(tag.id, tag.proposedAt)
    return verdict
  }

  /** the rows a snapshot at `appliedIndex` carries: those a later copy could still match */
  all (appliedIndex: number): Array<[string, number]> {
    return this.allStmt.all(forgetProposedBefore(appliedIndex, this.window)).map((r) => [r.id, r.proposed_at])
  }

  replace (rows: ReadonlyArray<readonly [string, number]>): void {
    this.clearStmt.run()
    for (const [id, proposedAt] of rows) this.insertStmt.run(id, proposedAt)
  }
}
