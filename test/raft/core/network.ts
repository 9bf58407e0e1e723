// A tiny in-test network of cores (etcd's raft_test.go "network"): each node is a core over a
// MemoryRaftStorage; `stabilize()` runs every node's Ready cycle (persist, collect messages,
// apply, advance) and delivers messages one at a time until the cluster is quiet. Links can be
// cut, and every delivered message is recorded so a test can check the exchange it expects.

import type { RaftCore, RaftCoreConfig } from '../../../src/raft/api.js'
import { createRaftCore, decodeConfChange } from '../../../src/raft/core/index.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { ConfState, Entry, Message, NodeId, ReadState } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'

export type NodeOptions = Partial<Omit<RaftCoreConfig, 'id' | 'storage' | 'rng'>>

export interface TestNode {
  readonly id: NodeId
  core: RaftCore
  readonly storage: MemoryRaftStorage
  /** committed entries in apply order, across restarts */
  readonly applied: Entry[]
  readonly readStates: ReadState[]
  confState: ConfState
}

export class Network {
  readonly nodes = new Map<NodeId, TestNode>()
  /** undelivered messages, in send order */
  queue: Message[] = []
  readonly delivered: Message[] = []
  private readonly cut = new Set<string>()
  private seed = 1
  /** message types to drop everywhere (e.g. to hold back acks) */
  dropTypes = new Set<Message['type']>()

  constructor (readonly options: NodeOptions = {}) {}

  /** a fresh cluster: every id gets storage bootstrapped with `conf` */
  static of (voters: NodeId[], options: NodeOptions = {}, learners: NodeId[] = []): Network {
    const net = new Network(options)
    for (const id of [...voters, ...learners]) net.add(id, new MemoryRaftStorage({ voters, learners }))
    // persist and apply the bootstrap configuration entries (indexes 1..members, term 1)
    for (const id of net.nodes.keys()) net.processReady(id)
    return net
  }

  add (id: NodeId, storage: MemoryRaftStorage, options: NodeOptions = {}): TestNode {
    const node: TestNode = { id, storage, core: undefined as unknown as RaftCore, applied: [], readStates: [], confState: storage.initialState().confState }
    node.core = this.makeCore(id, storage, options, 0)
    this.nodes.set(id, node)
    return node
  }

  /** a crash and restart: a new core over the same (durable) storage */
  restart (id: NodeId, options: NodeOptions = {}): void {
    const node = this.node(id)
    const applied = node.applied[node.applied.length - 1]?.index ?? 0
    node.core = this.makeCore(id, node.storage, options, Math.max(applied, node.storage.snapshot().metadata.index))
    this.queue = this.queue.filter(m => m.to !== id && m.from !== id)
  }

  private makeCore (id: NodeId, storage: MemoryRaftStorage, options: NodeOptions, applied: number): RaftCore {
    return createRaftCore({ electionTick: 10, heartbeatTick: 1, ...this.options, ...options, id, storage, rng: createPrng(this.seed++), applied })
  }

  node (id: NodeId): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  core (id: NodeId): RaftCore {
    return this.node(id).core
  }

  /** cut both directions between a and b */
  isolate (a: NodeId, b?: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === a || (b !== undefined && other !== b)) continue
      this.cut.add(`${a}>${other}`)
      this.cut.add(`${other}>${a}`)
    }
  }

  cutOneWay (from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`)
  }

  heal (): void {
    this.cut.clear()
  }

  /** run one node's Ready cycle: persist, then queue messages, then apply, then advance */
  processReady (id: NodeId): void {
    const node = this.node(id)
    while (node.core.hasReady()) {
      const rd = node.core.ready()
      node.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot })
      for (const m of rd.messages) {
        if (this.cut.has(`${m.from}>${m.to}`) || this.dropTypes.has(m.type) || !this.nodes.has(m.to)) continue
        this.queue.push(m)
      }
      if (rd.snapshot !== undefined) {
        node.applied.length = 0
        node.confState = rd.snapshot.metadata.confState
      }
      for (const e of rd.committedEntries) {
        node.applied.push(e)
        if (e.type === 'confChange') node.confState = node.core.applyConfChange(decodeConfChange(e.data))
      }
      node.readStates.push(...rd.readStates)
      node.core.advance(rd)
    }
  }

  /** process every node's Ready and deliver messages until nothing is left; returns messages delivered */
  stabilize (maxSteps = 100_000): Message[] {
    const start = this.delivered.length
    for (let i = 0; i < maxSteps; i++) {
      for (const id of this.nodes.keys()) this.processReady(id)
      const m = this.queue.shift()
      if (m === undefined) return this.delivered.slice(start)
      this.deliver(m)
    }
    throw new Error('network did not stabilize')
  }

  deliver (m: Message): void {
    this.delivered.push(m)
    this.node(m.to).core.step(m)
  }

  tick (id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.core(id).tick()
  }

  tickAll (n = 1): void {
    for (let i = 0; i < n; i++) for (const node of this.nodes.values()) node.core.tick()
  }

  /** start an election at id and let it finish */
  elect (id: NodeId): void {
    this.processReady(id)
    this.core(id).campaign()
    this.stabilize()
  }

  propose (id: NodeId, text: string): void {
    this.core(id).propose(new TextEncoder().encode(text))
    this.stabilize()
  }

  /** the text of applied normal entries with data */
  appliedText (id: NodeId): string[] {
    return this.node(id).applied.filter(e => e.type === 'normal' && e.data.byteLength > 0).map(e => new TextDecoder().decode(e.data))
  }

  leader (): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter(n => n.core.status().role === 'leader')
    return leaders.length === 0 ? undefined : leaders.reduce((a, b) => a.core.status().term >= b.core.status().term ? a : b).id
  }
}

export function text (s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

/** a one-line rendering of a message, for expected-exchange checks */
export function describe (m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`]
  if (m.type === 'MsgApp') parts.push(`index=${m.index} logTerm=${m.logTerm} entries=${m.entries.length} commit=${m.commit}`)
  if (m.type === 'MsgAppResp') parts.push(`index=${m.index}${m.reject ? ` reject hint=${m.rejectHint}` : ''}`)
  if (m.type.endsWith('VoteResp') && m.reject) parts.push('reject')
  return parts.join(' ')
}
