// A cluster of drivers for tests: MemoryRaftStorage, a small key-value state machine, and an
// in-memory transport that queues messages until `pump()` delivers them (or drops those on cut
// links). Everything is synchronous and seeded, so a test replays identically.

import type { RaftDriver, RaftDriverConfig, RaftTransport, StateMachine } from '../../../src/raft/api.js'
import { createRaftDriver } from '../../../src/raft/driver/index.js'
import { ProposalWindow, type ProposalTag, type ProposalVerdict } from '../../../src/raft/proposal-window.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { ConfState, Entry, Message, NodeId } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'

/** `set k v` → previous value (or null); `fail` → throws (an application error) */
export class KvStateMachine implements StateMachine {
  data = new Map<string, string>()
  private index = 0
  /** every entry's payload, skipped copies included */
  readonly payloads: string[] = []
  readonly skipped: Array<{ index: number, verdict: ProposalVerdict }> = []
  private readonly proposals: ProposalWindow

  constructor (readonly proposalWindow?: number) {
    this.proposals = new ProposalWindow(proposalWindow)
  }

  apply (entry: Entry, payload: Uint8Array, proposal: ProposalTag | undefined): unknown {
    this.index = entry.index
    const cmd = new TextDecoder().decode(payload)
    this.payloads.push(cmd)
    const skipped = this.proposals.admit(entry.index, proposal)
    if (skipped !== undefined) {
      this.skipped.push({ index: entry.index, verdict: skipped.reason })
      return skipped
    }
    if (cmd === 'fail') throw new Error('application rejected the command')
    const [, k, v] = cmd.split(' ')
    const prev = this.data.get(k!) ?? null
    this.data.set(k!, v!)
    return prev
  }

  snapshot (): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ data: [...this.data], proposals: this.proposals.entries(this.index) }))
  }

  restore (data: Uint8Array, index: number): void {
    const body = data.byteLength === 0 ? { data: [], proposals: [] } : JSON.parse(new TextDecoder().decode(data)) as { data: Array<[string, string]>, proposals: Array<[string, number]> }
    this.data = new Map(body.data)
    this.proposals.restore(body.proposals)
    this.index = index
  }

  appliedIndex (): number {
    return this.index
  }

  proposalVerdict (tag: ProposalTag, index: number): ProposalVerdict {
    return this.proposals.verdict(index, tag)
  }
}

export interface ClusterNode {
  readonly id: NodeId
  driver: RaftDriver
  readonly storage: MemoryRaftStorage
  sm: KvStateMachine
}

export type DriverOptions = Partial<Omit<RaftDriverConfig, 'id' | 'storage' | 'transport' | 'stateMachine' | 'rng'>>

export class Cluster {
  readonly nodes = new Map<NodeId, ClusterNode>()
  queue: Message[] = []
  private readonly cut = new Set<string>()
  private seed = 1

  constructor (readonly options: DriverOptions = {}) {}

  static of (voters: NodeId[], options: DriverOptions = {}): Cluster {
    const c = new Cluster(options)
    for (const id of voters) c.add(id, new MemoryRaftStorage({ voters, learners: [] }))
    return c
  }

  add (id: NodeId, storage: MemoryRaftStorage, sm = new KvStateMachine(), transport?: RaftTransport): ClusterNode {
    const node: ClusterNode = { id, storage, sm, driver: undefined as unknown as RaftDriver }
    node.driver = this.makeDriver(id, storage, sm, transport)
    this.nodes.set(id, node)
    return node
  }

  /** crash and restart with a fresh in-memory state machine over the same durable storage */
  restart (id: NodeId): void {
    const node = this.node(id)
    node.driver.stop()
    // the same window as before: every replica must judge copies alike
    node.sm = new KvStateMachine(node.sm.proposalWindow)
    node.driver = this.makeDriver(id, node.storage, node.sm)
  }

  private makeDriver (id: NodeId, storage: MemoryRaftStorage, sm: StateMachine, transport?: RaftTransport): RaftDriver {
    return createRaftDriver({
      electionTick: 10,
      heartbeatTick: 1,
      requestTimeoutTicks: 30,
      ...this.options,
      id,
      storage,
      stateMachine: sm,
      rng: createPrng(this.seed++),
      transport: transport ?? { send: (msgs) => { for (const m of msgs) if (!this.cut.has(`${m.from}>${m.to}`)) this.queue.push(m) } }
    })
  }

  node (id: NodeId): ClusterNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  driver (id: NodeId): RaftDriver {
    return this.node(id).driver
  }

  isolate (id: NodeId): void {
    for (const other of this.nodes.keys()) {
      this.cut.add(`${id}>${other}`)
      this.cut.add(`${other}>${id}`)
    }
  }

  heal (): void {
    this.cut.clear()
  }

  pump (maxMessages = 100_000): void {
    for (let i = 0; i < maxMessages; i++) {
      const m = this.queue.shift()
      if (m === undefined) return
      if (this.cut.has(`${m.from}>${m.to}`)) continue
      this.nodes.get(m.to)?.driver.receive(m)
    }
    throw new Error('messages kept flowing')
  }

  tick (n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) node.driver.tick()
      this.pump()
    }
  }

  /** tick until some node leads (and its first entry committed) */
  waitForLeader (maxTicks = 200): NodeId {
    for (let i = 0; i < maxTicks; i++) {
      const leaders = [...this.nodes.values()].filter(n => n.driver.status().role === 'leader')
      const leader = leaders[0]
      if (leader !== undefined && [...this.nodes.values()].every(n => n.driver.status().leader === leader.id || this.cut.has(`${leader.id}>${n.id}`))) return leader.id
      this.tick()
    }
    throw new Error('no leader elected')
  }

  /** pump and tick until the promise settles */
  async settle<T> (p: Promise<T>, maxTicks = 200): Promise<T> {
    let done = false
    const tracked = p.finally(() => { done = true })
    tracked.catch(() => {})
    for (let i = 0; i < maxTicks && !done; i++) {
      this.pump()
      await Promise.resolve()
      await Promise.resolve()
      if (!done) this.tick()
      await Promise.resolve()
    }
    return await tracked
  }

  confOf (id: NodeId): ConfState {
    return this.driver(id).status().confState
  }
}

export function cmd (s: string): Uint8Array {
  return new TextEncoder().encode(s)
}
