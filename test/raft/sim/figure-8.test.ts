// Raft §5.4.2 / Figure 8, scripted: a leader must not count replicas to commit an entry from
// an earlier term. Scripted because random seeds did not reach this interleaving in 7,267 runs
// against a core with that bug. Five nodes, with the safety monitor of the simulation watching every step;
// who campaigns is chosen by ticking only that node, who hears what by dropping messages:
//   1. n1 leads, appends A at index i, crashes before sending it;
//   2. n5 wins with n3, n4 (it has a term-3 entry at i nobody else gets), crashes;
//   3. n1 restarts, wins the next term with n2, n3, and replicates A to them but not its own
//      no-op: A is on a majority (n1, n2, n3) but not committed, since its term is old;
//   4. n1 crashes; n5 restarts and wins with n3, n4 (its last term 3 beats their 2) and
//      replaces A at index i with its own entry.
// With the real core nothing breaks. With the broken core of broken-core.ts (commit by replica
// count) n2 and n3 commit A in step 3, and step 4 overwrites a committed entry: the monitor
// must report it (it does as leader completeness the moment n5 wins: "leader n5 of term 5
// lacks index 7 term 2"), or the core's own assertion fires when a committed entry is truncated.
import { strict as assert } from 'node:assert'
import { createRaftDriver } from '../../../src/raft/driver/index.js'
import { InvariantViolation, KvStateMachine, type DriverFactory } from '../../../src/raft/sim/index.js'
import { encodeKvCommand } from '../../../src/raft/sim/kv-state-machine.js'
import { ObservedStorage } from '../../../src/raft/sim/observed-storage.js'
import { SafetyMonitor } from '../../../src/raft/sim/safety-monitor.js'
import type { RaftDriver, RaftStatus } from '../../../src/raft/api.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Message, NodeId } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'
import { brokenDriver } from './broken-driver.js'

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5']

class Script {
  readonly monitor = new SafetyMonitor()
  private readonly durable = new Map<NodeId, MemoryRaftStorage>()
  private readonly drivers = new Map<NodeId, RaftDriver>()
  private readonly sms = new Map<NodeId, KvStateMachine>()
  private queue: Message[] = []
  private ops = 0

  constructor (private readonly createDriver: DriverFactory) {
    for (const id of IDS) this.durable.set(id, new MemoryRaftStorage({ voters: IDS, learners: [] }))
    for (const id of IDS) this.start(id)
  }

  start (id: NodeId): void {
    const durable = this.durable.get(id)!
    const sm = new KvStateMachine({ onApply: (e) => this.monitor.applied(id, e, durable) })
    const snap = durable.snapshot()
    if (snap.metadata.index > 0) sm.restore(snap.data, snap.metadata.index)
    this.sms.set(id, sm)
    this.drivers.set(id, this.createDriver({
      id,
      storage: new ObservedStorage(durable, this.monitor.storageObserver(id, durable)),
      transport: { send: (ms) => { for (const m of ms) { this.monitor.sent(m, durable); this.queue.push(m) } } },
      stateMachine: sm,
      rng: createPrng(IDS.indexOf(id) + 1),
      electionTick: 10,
      heartbeatTick: 1,
      preVote: false,
      checkQuorum: false,
      // one entry per MsgApp, so an old entry and the new leader's no-op travel apart
      maxSizePerMsgBytes: 1,
      maxInflightMsgs: 64,
      requestTimeoutTicks: 10_000,
      snapshotEntries: 10_000
    }))
  }

  crash (id: NodeId): void {
    this.drivers.get(id)!.stop()
    this.drivers.delete(id)
    this.queue = this.queue.filter(m => m.to !== id && m.from !== id)
  }

  status (id: NodeId): RaftStatus {
    return this.drivers.get(id)!.status()
  }

  lastTerm (id: NodeId): number {
    const d = this.durable.get(id)!
    return d.term(d.lastIndex())
  }

  /** deliver queued messages that pass `allow` (others are lost) until the network is quiet */
  deliver (allow: (m: Message) => boolean): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      assert.ok(guard < 100_000, 'message storm')
      const m = this.queue.shift()!
      const to = this.drivers.get(m.to)
      if (to !== undefined && allow(m)) to.receive(m)
      this.check()
    }
  }

  /** tick only `id` (nobody else's election timer runs) until `done`, delivering as allowed */
  tickUntil (id: NodeId, allow: (m: Message) => boolean, done: () => boolean): void {
    for (let i = 0; !done(); i++) {
      assert.ok(i < 500, `${id}: condition not reached in 500 ticks`)
      this.drivers.get(id)!.tick()
      this.check()
      this.deliver(allow)
    }
  }

  tickOnce (id: NodeId, allow: (m: Message) => boolean): void {
    this.drivers.get(id)!.tick()
    this.check()
    this.deliver(allow)
  }

  /** whether the node's durable log holds (index, term) */
  hasEntry (id: NodeId, index: number, term: number): boolean {
    const d = this.durable.get(id)!
    return index >= d.firstIndex() - 1 && index <= d.lastIndex() && d.term(index) === term
  }

  write (id: NodeId, value: string): void {
    this.drivers.get(id)!.propose(encodeKvCommand({ id: `w${this.ops++}`, input: { op: 'put', key: 'k', value } })).catch(() => {})
    this.check()
  }

  check (): void {
    if (this.monitor.firstViolation !== undefined) throw this.monitor.firstViolation as Error
    this.monitor.afterEvent(IDS.map(id => {
      const driver = this.drivers.get(id)
      const sm = this.sms.get(id)!
      return {
        id,
        durable: this.durable.get(id)!,
        live: () => {
          if (driver === undefined) return undefined
          const st = driver.status()
          return { role: st.role, term: st.term, view: { key: id, node: id, appliedIndex: () => sm.appliedIndex(), indexOf: (op: string) => sm.indexOf(op) } }
        }
      }
    }))
  }
}

const among = (...ids: NodeId[]) => (m: Message): boolean => ids.includes(m.from) && ids.includes(m.to)
const isVote = (m: Message): boolean => m.type === 'MsgVote' || m.type === 'MsgVoteResp'

/** runs the script; returns the index of A and what n2 and n3 had committed after step 3 */
function figure8 (createDriver: DriverFactory): { indexA: number, commitAfterStep3: number } {
  const s = new Script(createDriver)
  const all = (): boolean => true

  // 1. n1 leads and everything settles; then n1 appends A and crashes before sending it
  s.tickUntil('n1', all, () => s.status('n1').role === 'leader')
  s.tickUntil('n1', all, () => IDS.every(id => s.status(id).commit === s.status('n1').lastIndex))
  const term1 = s.status('n1').term
  s.write('n1', 'A')
  const indexA = s.status('n1').lastIndex
  s.crash('n1')

  // 2. n5 wins with n3 and n4; its no-op lands at index i (term 3) on n5 only; n5 crashes
  s.tickUntil('n5', (m) => isVote(m) && among('n3', 'n4', 'n5')(m), () => s.status('n5').role === 'leader')
  assert.equal(s.status('n5').lastIndex, indexA)
  assert.ok(s.lastTerm('n5') > term1)
  s.crash('n5')

  // 3. n1 restarts and wins with n2 and n3. Its probes are rejected (they lack A), it backs up
  //    and sends A alone (one entry per message); every message that would land its own no-op
  //    is lost. A is then on n1, n2, n3: a majority, but of an older term.
  s.start('n1')
  const noOpLost = (m: Message): boolean => {
    if (!among('n1', 'n2', 'n3')(m)) return false
    const landsNewEntry = m.type === 'MsgApp' && m.entries.some(e => e.term > term1) && s.hasEntry(m.to, m.index, m.logTerm)
    return !landsNewEntry
  }
  s.tickUntil('n1', noOpLost, () => s.status('n1').role === 'leader')
  s.tickUntil('n1', noOpLost, () => ['n2', 'n3'].every(id => s.hasEntry(id, indexA, term1)))
  // heartbeats carry the leader's commit (capped at what each follower has)
  for (let i = 0; i < 5; i++) s.tickOnce('n1', noOpLost)
  const commitAfterStep3 = Math.min(s.status('n2').commit, s.status('n3').commit)
  s.crash('n1')

  // 4. n5 restarts and wins with n3 and n4 (its last term 3 beats their term 1) and replaces
  //    index i with its own entry wherever it replicates
  s.start('n5')
  s.tickUntil('n5', among('n3', 'n4', 'n5'), () => s.status('n5').role === 'leader')
  s.tickUntil('n5', among('n3', 'n4', 'n5'), () => s.status('n3').commit > indexA && s.status('n4').commit > indexA)
  return { indexA, commitAfterStep3 }
}

describe('raft simulation: Figure 8 (§5.4.2), scripted', () => {
  it('the real core never commits the old-term entry by counting replicas, and no invariant breaks', () => {
    const { indexA, commitAfterStep3 } = figure8(createRaftDriver)
    assert.ok(commitAfterStep3 < indexA, `A (index ${indexA}) was committed by replica count: commit ${commitAfterStep3}`)
  })

  it('a core that commits by counting replicas is caught when the entry is overwritten', async () => {
    const createDriver = await brokenDriver('figure-8')
    assert.throws(() => figure8(createDriver), (err: unknown) => {
      if (err instanceof InvariantViolation) return ['state-machine-safety', 'leader-completeness'].includes(err.invariant)
      // the follower's core refusing to truncate a committed entry is a catch too
      return err instanceof Error && err.name === 'AssertionFailure'
    })
  })
})
