// Concurrent clients and the history they record for the linearizability check. A client has
// one operation outstanding at a time and sends it to a random live node, so most requests
// are forwarded to the leader. Writes go through propose(); reads through readBarrier() and
// then a local read (ReadIndex). Time in the history is the simulator's step counter.
//
// Outcomes: a write that resolved is acknowledged (and fed to the acknowledged-write check);
// a write that failed, timed out or was in flight on a node that crashed has an unknown
// outcome (return null: it may still commit, e.g. a dropped proposal already in the log),
// and its client continues under a new id, as a process restarted by a Jepsen run would.
// A request the driver refused at once (no leader known, dropped by the core, queue full)
// never reached the log: a definite failure, left out of the history like a failed read.

import type { KvInput, KvOutput, Operation } from '../../check/linearizability/types.js'
import { isJadfsError } from '../../errors.js'
import type { SeededPrng } from '../../util/prng.js'
import type { NodeId } from '../types.js'
import { encodeKvCommand, type KvApplyResult } from './kv-state-machine.js'
import type { SimNode } from './sim-node.js'
import { violation } from './invariants/index.js'

interface OpRecord {
  readonly clientId: number
  readonly input: KvInput
  readonly call: number
  readonly node: NodeId
  readonly incarnation: number
  readonly opId: string
  state: 'pending' | 'ok' | 'unknown' | 'omitted'
  ret: number | null
  output?: KvOutput
  index?: number
}

export interface WorkloadHooks {
  now (): number
  trace (text: string): void
  ack (opId: string, index: number, term: number): void
  /** an exception that is not an expected JadfsError ends the run */
  fail (err: unknown): void
}

export class Workload {
  private readonly records: OpRecord[] = []
  private readonly busy = new Map<number, OpRecord>()
  /** slot -> current client id (changes after an unknown outcome) */
  private readonly clientIds: number[]
  private nextClientId: number
  private nextOp = 0
  stats = { issued: 0, acked: 0, unknown: 0, refused: 0, readsOk: 0, readsFailed: 0 }

  constructor (slots: number, private readonly keys: number, private readonly rng: SeededPrng, private readonly hooks: WorkloadHooks) {
    this.clientIds = Array.from({ length: slots }, (_, i) => i)
    this.nextClientId = slots
  }

  idleSlots (): number[] {
    return this.clientIds.map((id, slot) => (this.busy.has(id) ? -1 : slot)).filter(s => s >= 0)
  }

  get pending (): number {
    return this.busy.size
  }

  /** a random operation from client `slot` to `node` */
  issue (slot: number, node: SimNode): void {
    const driver = node.driver
    const sm = node.sm
    if (driver === undefined || sm === undefined) return
    const clientId = this.clientIds[slot]!
    const n = this.nextOp++
    const key = `k${this.rng.nextInt(this.keys)}`
    const r = this.rng.nextInt(100)
    const input: KvInput = r < 35 ? { op: 'get', key } : r < 55 ? { op: 'put', key, value: `p${n}` } : { op: 'append', key, value: `${n},` }
    const rec: OpRecord = { clientId, input, call: this.hooks.now(), node: node.id, incarnation: node.incarnation, opId: `o${n}`, state: 'pending', ret: null }
    this.records.push(rec)
    this.busy.set(clientId, rec)
    this.stats.issued++
    this.hooks.trace(`c${clientId} ${rec.opId} ${describe(input)} @${node.id}`)
    try {
      if (input.op === 'get') {
        driver.readBarrier().then(
          () => this.settle(rec, 'ok', { op: 'get', value: sm.get(key) }),
          (err: unknown) => this.failed(rec, err))
      } else {
        driver.propose(encodeKvCommand({ id: rec.opId, input })).then(
          (res) => {
            // an exception here would be an unhandled rejection: hand it to the run instead
            try {
              assertKvResult(res)
              if (this.settle(rec, 'ok', res.output, res.index)) this.hooks.ack(rec.opId, res.index, res.term)
            } catch (err) {
              this.hooks.fail(err)
            }
          },
          (err: unknown) => this.failed(rec, err))
      }
    } catch (err) {
      this.failed(rec, err)
    }
  }

  /** the node crashed: everything in flight there has an unknown outcome */
  nodeCrashed (node: NodeId): void {
    for (const rec of [...this.busy.values()]) if (rec.node === node) this.settle(rec, 'unknown')
  }

  /** the history for the checker: completed and unknown operations, failed reads left out */
  history (): Array<Operation<KvInput, KvOutput>> {
    const ops: Array<Operation<KvInput, KvOutput>> = []
    for (const r of this.records) {
      if (r.state === 'omitted' || (r.state !== 'ok' && r.input.op === 'get')) continue
      ops.push(r.state === 'ok' ? { clientId: r.clientId, input: r.input, call: r.call, return: r.ret, output: r.output } : { clientId: r.clientId, input: r.input, call: r.call, return: null })
    }
    return ops
  }

  private failed (rec: OpRecord, err: unknown): void {
    if (!isJadfsError(err)) {
      this.hooks.fail(err)
      return
    }
    // refused within the step that issued it: the driver threw before anything reached the log;
    // or committed too late to take effect, which the driver promises means never applied (a
    // write left out of the history that did take effect fails the linearizability check)
    const refused = (this.hooks.now() === rec.call && REFUSALS.has(err.code)) ||
      (err.code === 'PROPOSAL_DROPPED' && err.details?.reason === 'expired')
    this.settle(rec, rec.input.op === 'get' || refused ? 'omitted' : 'unknown', undefined, undefined, err.code)
  }

  /** returns false when the record was already settled (e.g. unknown after a crash) */
  private settle (rec: OpRecord, state: 'ok' | 'unknown' | 'omitted', output?: KvOutput, index?: number, why?: string): boolean {
    if (rec.state !== 'pending') return false
    rec.state = state
    rec.ret = state === 'ok' ? this.hooks.now() : null
    if (output !== undefined) rec.output = output
    if (index !== undefined) rec.index = index
    this.busy.delete(rec.clientId)
    if (state === 'ok') {
      if (rec.input.op === 'get') this.stats.readsOk++
      else this.stats.acked++
    } else if (rec.input.op === 'get') {
      this.stats.readsFailed++
    } else if (state === 'omitted') {
      this.stats.refused++
    } else {
      this.stats.unknown++
    }
    if (state === 'unknown') {
      const slot = this.clientIds.indexOf(rec.clientId)
      if (slot >= 0) this.clientIds[slot] = this.nextClientId++
    }
    const result = state === 'ok' ? (output?.op === 'get' ? `-> ${output.value === null ? 'null' : `"${output.value}"`}` : `ok i${String(index)}`) : `${state}${why === undefined ? '' : ` (${why})`}`
    this.hooks.trace(`c${rec.clientId} ${rec.opId} ${result}`)
    return true
  }
}

const REFUSALS = new Set(['NOT_LEADER', 'PROPOSAL_DROPPED', 'SHUTTING_DOWN', 'REMOVED_FROM_CLUSTER'])

function describe (input: KvInput): string {
  return input.op === 'get' ? `get(${input.key})` : `${input.op}(${input.key},"${input.value}")`
}

function assertKvResult (res: unknown): asserts res is KvApplyResult {
  if (typeof res !== 'object' || res === null || typeof (res as KvApplyResult).index !== 'number') violation('crash', `a proposal resolved with ${JSON.stringify(res)}, not the state machine's result`)
}
