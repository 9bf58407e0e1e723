// The small key-value state machine the simulated clients run against Raft: put / append / get
// on string values. A copy of a proposal (re-sent after a leader change, or a forwarded
// MsgProp the network duplicated) is skipped through the driver's proposal window, which travels
// in snapshots. It also remembers, per client operation id, where it applied it, so the
// acknowledged-write check can ask "did you apply op X at index i?" of any node, including one
// that caught up by snapshot; an operation applied twice is a broken window, and crashes the run.

import type { StateMachine } from '../api.js'
import { ProposalWindow, type ProposalTag, type ProposalVerdict, type SkippedProposal } from '../proposal-window.js'
import type { Entry } from '../types.js'
import type { KvInput, KvOutput } from '../../check/linearizability/types.js'
import { assert } from '../../util/assert.js'

/** what clients propose: a write with a run-wide unique id */
export interface KvCommand {
  readonly id: string
  readonly input: Extract<KvInput, { op: 'put' | 'append' }>
}

/** what a proposal resolves with */
export interface KvApplyResult {
  readonly index: number
  readonly term: number
  readonly output: KvOutput
}

interface SnapshotBody {
  readonly data: Array<[string, string]>
  readonly ops: Array<[string, KvApplyResult]>
  readonly proposals: Array<[string, number]>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeKvCommand (cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd))
}

export function decodeKvCommand (bytes: Uint8Array): KvCommand {
  const cmd = JSON.parse(decoder.decode(bytes)) as KvCommand
  assert(typeof cmd.id === 'string' && (cmd.input.op === 'put' || cmd.input.op === 'append'), 'not a kv command', cmd)
  return cmd
}

export interface KvStateMachineHooks {
  /** every entry this state machine applies, for the state-machine-safety check */
  onApply? (entry: Entry, cmd: KvCommand): void
}

export class KvStateMachine implements StateMachine {
  private readonly data = new Map<string, string>()
  private readonly ops = new Map<string, KvApplyResult>()
  private readonly proposals: ProposalWindow
  private applied = 0

  constructor (private readonly hooks: KvStateMachineHooks = {}, proposalWindow?: number) {
    this.proposals = new ProposalWindow(proposalWindow)
  }

  apply (entry: Entry, payload: Uint8Array, proposal: ProposalTag | undefined): KvApplyResult | SkippedProposal {
    assert(entry.index > this.applied, 'entries are applied in order, once', { index: entry.index, applied: this.applied })
    this.applied = entry.index
    const cmd = decodeKvCommand(payload)
    this.hooks.onApply?.(entry, cmd)
    const skipped = this.proposals.admit(entry.index, proposal)
    if (skipped !== undefined) return skipped
    assert(!this.ops.has(cmd.id), 'an operation takes effect once', { op: cmd.id, first: this.ops.get(cmd.id)?.index, again: entry.index })
    const { key, value } = cmd.input
    this.data.set(key, cmd.input.op === 'put' ? value : (this.data.get(key) ?? '') + value)
    const result: KvApplyResult = { index: entry.index, term: entry.term, output: { op: cmd.input.op } }
    this.ops.set(cmd.id, result)
    return result
  }

  get (key: string): string | null {
    return this.data.get(key) ?? null
  }

  /** where this state machine applied the operation (undefined: not applied) */
  indexOf (opId: string): number | undefined {
    return this.ops.get(opId)?.index
  }

  /** sorted, and without the applied index, so equal states serialise to equal bytes on every
   * node: the simulator compares snapshot bytes taken at one index across nodes */
  snapshot (): Uint8Array {
    const body: SnapshotBody = {
      data: [...this.data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ops: [...this.ops.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      proposals: this.proposals.entries(this.applied)
    }
    return encoder.encode(JSON.stringify(body))
  }

  restore (bytes: Uint8Array, index: number): void {
    this.data.clear()
    this.ops.clear()
    if (bytes.byteLength > 0) {
      const body = JSON.parse(decoder.decode(bytes)) as SnapshotBody
      for (const [k, v] of body.data) this.data.set(k, v)
      for (const [k, v] of body.ops) this.ops.set(k, v)
      this.proposals.restore(body.proposals)
    } else {
      this.proposals.restore([])
    }
    this.applied = index
  }

  /** call when the driver applied an entry that does not reach apply() (no-op, conf change) */
  skipTo (index: number): void {
    if (index > this.applied) this.applied = index
  }

  appliedIndex (): number {
    return this.applied
  }

  proposalVerdict (tag: ProposalTag, index: number): ProposalVerdict {
    return this.proposals.verdict(index, tag)
  }
}
