// One seeded run: build a cluster, run a chaos phase (faults, client load, membership changes,
// snapshots), heal everything, require liveness within a bound, then check the client history
// for linearizability. Safety invariants are checked after every event; the first violation
// ends the run with the seed, the rule and the last lines of the trace.
//
// The event loop. Virtual time is in ticks. Each step is one event: deliver one due message
// (picked at random, so messages reorder), or one entry of the current tick's agenda (tick one
// node, one client request, one fault). When the agenda is empty, time advances one tick and a
// new agenda is drawn. Promises the drivers settle are drained (setImmediate) after every
// event, so a client sees its answer at the step that produced it, deterministically.
//
// Deferred readies. In seeds whose configuration sets `deferReady` (about half), each driver
// gets a `scheduleReady` that queues the Ready-run on its node instead of running it, as the
// daemon's queueMicrotask batching does. A queued run is an event of its own, picked at random
// among the nodes' queues and interleaved with the other events, so a node can accept a
// proposal or step a message, then crash before the run that saves it: the crash discards the
// queue (the unsaved in-memory state is lost, a crash before fsync). tick() still processes at
// once, as the driver does.

import { checkLinearizability, kvModel } from '../../check/linearizability/index.js'
import { isJadfsError } from '../../errors.js'
import { createPrng, type SeededPrng } from '../../util/prng.js'
import type { RaftDriverConfig } from '../api.js'
import type { ConfChange, ConfState, Message, NodeId } from '../types.js'
import { chooseConfig, type SimConfig, type SimConfigOverrides } from './config.js'
import { chooseFault, chooseNetworkRates } from './faults.js'
import { formatMessage } from './format.js'
import { InvariantViolation, violation, type InvariantName } from './invariants/index.js'
import { encodeKvCommand, type KvApplyResult } from './kv-state-machine.js'
import { CALM, SimNetwork } from './network.js'
import { SafetyMonitor } from './safety-monitor.js'
import { SimNode, type DriverFactory, type NodeRuntime, type StorageWrapper } from './sim-node.js'
import { Trace } from './trace.js'
import { Workload } from './workload.js'

export interface SimOptions {
  readonly seed: number
  /** replace some of the seed's configuration choices */
  readonly overrides?: SimConfigOverrides
  readonly createDriver: DriverFactory
  /** every trace line, as it happens */
  readonly onTrace?: (line: string) => void
  /** trace lines kept for a failure report; @default 40 */
  readonly keepLines?: number
  /** test hook: a broken disk under every node */
  readonly wrapStorage?: StorageWrapper
  /** @default true */
  readonly checkPersistBeforeSend?: boolean
  /** skip the linearizability check (the broken-core tests look for safety violations only) */
  readonly checkLinearizability?: boolean
  /** search budget per run; past it the result is 'unknown' (reported, not a failure) @default 1_000_000 */
  readonly linearizabilityMaxSteps?: number
  /** false: never defer readies, whatever the seed chose (config.deferReady is forced off) @default true */
  readonly deferReadies?: boolean
}

export interface SimStats {
  steps: number
  ticks: number
  messagesSent: number
  messagesDelivered: number
  crashes: number
  confChanges: number
  snapshotsCreated: number
  snapshotsInstalled: number
  leadersElected: number
  opsIssued: number
  writesAcked: number
  writesUnknown: number
  writesRefused: number
  readsOk: number
  /** deferred Ready-runs the event loop ran */
  readyRuns: number
  /** crashes (faults and removals) that discarded at least one pending Ready-run */
  crashesWithPendingReady: number
  /** pending Ready-runs those crashes discarded */
  readiesDiscarded: number
  livenessTicks: number
  livenessBoundTicks: number
  linearizability: 'ok' | 'unknown' | 'illegal' | 'skipped'
}

export interface SimResult {
  readonly seed: number
  readonly config: SimConfig
  readonly violation?: { readonly invariant: InvariantName, readonly message: string }
  readonly trace: readonly string[]
  /** sha-256 of the whole trace: equal for two runs of one seed */
  readonly digest: string
  readonly stats: SimStats
}

/** liveness: after healing, a leader and every pending write within this many ticks */
export function livenessBoundTicks (config: SimConfig): number {
  return 2 * config.requestTimeoutTicks + 20 * config.electionTick
}

/** per-tick probability of a membership change attempt, when the seed enables them */
const MEMBERSHIP_RATE = 0.04

const flush = async (): Promise<void> => new Promise(resolve => setImmediate(resolve))

export async function runSimulation (options: SimOptions): Promise<SimResult> {
  const sim = new Simulation(options)
  return sim.run()
}

class Simulation {
  private readonly rng: SeededPrng
  private readonly config: SimConfig
  private readonly trace: Trace
  private readonly monitor: SafetyMonitor
  private readonly network: SimNetwork
  private readonly nodes = new Map<NodeId, SimNode>()
  private readonly workload: Workload
  private readonly runtime: NodeRuntime
  private failure: unknown
  private step = 0
  private tick = 0
  private agenda: Array<() => void> = []
  private nextNodeNumber: number
  private confChangeInFlight = false
  /** the configuration as the latest leader reported it */
  private conf: ConfState
  /** every node that appeared in a configuration the simulator saw */
  private readonly everMember = new Set<NodeId>()
  private readonly stats: SimStats

  constructor (private readonly options: SimOptions) {
    const root = createPrng(options.seed)
    const chosen = chooseConfig(root.fork(), options.overrides)
    this.config = options.deferReadies === false ? { ...chosen, deferReady: false } : chosen
    this.rng = root.fork()
    this.trace = new Trace({ keepLines: options.keepLines ?? 40, sink: options.onTrace })
    this.monitor = new SafetyMonitor({ persistBeforeSend: options.checkPersistBeforeSend ?? true })
    this.network = new SimNetwork(root.fork())
    const nodeRng = root.fork()
    const c = this.config
    const driverOptions: Omit<RaftDriverConfig, 'id' | 'storage' | 'transport' | 'stateMachine' | 'rng'> = {
      electionTick: c.electionTick,
      heartbeatTick: c.heartbeatTick,
      preVote: c.preVote,
      checkQuorum: c.checkQuorum,
      maxSizePerMsgBytes: c.maxSizePerMsgBytes,
      maxInflightMsgs: c.maxInflightMsgs,
      requestTimeoutTicks: c.requestTimeoutTicks,
      snapshotEntries: c.snapshotEntries,
      maxPendingRequests: 64
    }
    this.runtime = {
      monitor: this.monitor,
      createDriver: (cfg) => options.createDriver({ ...cfg, rng: nodeRng.fork() }),
      wrapStorage: options.wrapStorage ?? ((s) => s),
      driverOptions: { ...driverOptions, rng: nodeRng },
      send: (from, messages) => this.send(from, messages),
      deferReady: c.deferReady,
      proposalWindow: c.proposalWindow
    }
    this.workload = new Workload(c.clients, c.keys, root.fork(), {
      now: () => this.step,
      trace: (text) => this.log(text),
      ack: (opId, index, term) => this.monitor.ack({ opId, index, term }, this.nodes.values()),
      fail: (err) => this.recordFailure(err)
    })
    const voters = Array.from({ length: c.voters }, (_, i) => `n${i + 1}`)
    const learners = Array.from({ length: c.learners }, (_, i) => `n${c.voters + i + 1}`)
    this.nextNodeNumber = c.voters + c.learners + 1
    this.conf = { voters, learners }
    for (const id of [...voters, ...learners]) this.everMember.add(id)
    for (const id of [...voters, ...learners]) this.nodes.set(id, new SimNode(id, this.conf, this.runtime))
    this.stats = {
      steps: 0, ticks: 0, messagesSent: 0, messagesDelivered: 0, crashes: 0, confChanges: 0, snapshotsCreated: 0, snapshotsInstalled: 0, leadersElected: 0,
      opsIssued: 0, writesAcked: 0, writesUnknown: 0, writesRefused: 0, readsOk: 0,
      readyRuns: 0, crashesWithPendingReady: 0, readiesDiscarded: 0, livenessTicks: 0, livenessBoundTicks: livenessBoundTicks(c),
      linearizability: 'skipped'
    }
  }

  async run (): Promise<SimResult> {
    let found: InvariantViolation | undefined
    try {
      this.log(`seed ${this.options.seed} config ${JSON.stringify(this.config)}`)
      for (const n of this.nodes.values()) this.guard(() => n.start())
      await this.chaos()
      this.heal()
      await this.liveness()
      this.linearizability()
    } catch (err) {
      found = err instanceof InvariantViolation ? err : new InvariantViolation('crash', errorText(err))
      this.log(`VIOLATION ${found.message}`)
    } finally {
      for (const n of this.nodes.values()) if (n.up) n.crash()
      await flush()
    }
    const w = this.workload.stats
    Object.assign(this.stats, {
      steps: this.step, ticks: this.tick, messagesSent: this.network.stats.sent, messagesDelivered: this.network.stats.delivered,
      ...this.monitor.counts,
      opsIssued: w.issued, writesAcked: w.acked, writesUnknown: w.unknown, writesRefused: w.refused, readsOk: w.readsOk
    })
    return {
      seed: this.options.seed,
      config: this.config,
      ...(found === undefined ? {} : { violation: { invariant: found.invariant, message: found.message } }),
      trace: this.trace.tail(),
      digest: this.trace.digest(),
      stats: this.stats
    }
  }

  // ---- phases

  private async chaos (): Promise<void> {
    while (this.tick < this.config.chaosTicks) await this.nextEvent(true)
  }

  /** restart every crashed member, reconnect every link, calm the network */
  private heal (): void {
    // the rest of the last chaos tick's agenda could hold one more fault
    this.agenda = []
    this.network.healLinks()
    this.network.faults = { ...CALM }
    for (const n of this.nodes.values()) if (!n.up && !n.retired) this.restart(n)
    this.log('heal: all links up, network calm, all crashed nodes restarted')
  }

  /**
   * A node removed from the configuration without learning it (its removal's outcome was
   * unknown to the simulator) still thinks it is a voter and campaigns with ever higher terms.
   * Without pre-vote or check-quorum that deposes every leader (Raft thesis §4.2.3, disruptive
   * servers; regression seed 63082), so, as an operator would, shut down every node that was a
   * member once and is not in the configuration of a leader of the highest term that has
   * applied all it committed (a restarted node's or a deposed leader's view can lag: seeds
   * 67105, 67196).
   */
  private shutDownRemoved (): void {
    const statuses = [...this.nodes.values()].map(n => n.status()).filter(st => st !== undefined)
    // a deposed leader that has not heard of its successor (no check-quorum) has an old view
    const maxTerm = Math.max(0, ...statuses.map(st => st.term))
    for (const st of statuses) {
      if (st.role !== 'leader' || st.term < maxTerm || st.applied < st.commit) continue
      const current = new Set([...st.confState.voters, ...st.confState.learners])
      for (const id of this.everMember) {
        if (!current.has(id) && this.nodes.get(id)?.retired === false) {
          this.log(`${id} is not in the configuration of leader ${st.id}: shut down`)
          this.retire(id)
        }
      }
    }
  }

  private async liveness (): Promise<void> {
    const bound = livenessBoundTicks(this.config)
    const start = this.tick
    let probe: { state: 'idle' | 'pending' | 'done', index: number } = { state: 'idle', index: 0 }
    while (true) {
      const elapsed = this.tick - start
      if (elapsed > bound) {
        violation('liveness', `no stable leader with every write settled ${bound} ticks after healing: ${this.describeCluster()}; pending ops ${this.workload.pending}, probe ${probe.state}`)
      }
      if (probe.state === 'idle') {
        const target = this.randomLiveNode()
        if (target?.driver !== undefined) {
          probe = { state: 'pending', index: 0 }
          this.log(`probe write @${target.id}`)
          const opId = `probe${this.tick}`
          target.driver.propose(encodeKvCommand({ id: opId, input: { op: 'put', key: 'probe', value: opId } })).then(
            (res) => {
              const r = res as KvApplyResult
              probe = { state: 'done', index: r.index }
              this.log(`probe ok i${r.index}`)
              this.inCallback(() => this.monitor.ack({ opId, index: r.index, term: r.term }, this.nodes.values()))
            },
            () => { probe = { state: 'idle', index: 0 } })
        }
      }
      this.shutDownRemoved()
      if (probe.state === 'done' && this.workload.pending === 0 && !this.confChangeInFlight && this.converged(probe.index)) {
        this.stats.livenessTicks = elapsed
        this.log(`live: converged ${elapsed} ticks after healing (bound ${bound})`)
        return
      }
      const t = this.tick
      while (this.tick === t) await this.nextEvent(false)
    }
  }

  /** one leader of the highest term, every member following it and applied to its commit */
  private converged (probeIndex: number): boolean {
    const live = [...this.nodes.values()].filter(n => n.up)
    const statuses = live.map(n => n.status()!)
    const leaders = statuses.filter(s => s.role === 'leader')
    if (leaders.length !== 1) return false
    const leader = leaders[0]!
    if (leader.commit < probeIndex) return false
    const members = new Set([...leader.confState.voters, ...leader.confState.learners])
    for (const s of statuses) {
      if (!members.has(s.id)) continue
      if (s.term > leader.term) return false
      if (s.leader !== leader.id || s.applied < leader.commit) return false
    }
    // a shut-down node can be in the configuration again when an add whose outcome the
    // simulator saw as unknown commits after its removal (seed 67669): the rest must converge
    for (const m of members) if (this.nodes.get(m)?.up !== true && this.nodes.get(m)?.retired !== true) return false
    return true
  }

  private linearizability (): void {
    if (this.options.checkLinearizability === false) return
    const history = this.workload.history()
    const res = checkLinearizability(kvModel, history, { maxSteps: this.options.linearizabilityMaxSteps ?? 1_000_000 })
    this.stats.linearizability = res.result
    this.log(`linearizability over ${history.length} ops: ${res.result}`)
    if (res.result === 'illegal') violation('linearizability', `partition ${res.partition}: ${res.explanation}`)
  }

  // ---- the event loop

  private async nextEvent (chaos: boolean): Promise<void> {
    this.step++
    const ready = this.nodesWithPendingReady()
    // no rng draw without a pending run, so seeds without deferred readies replay as before;
    // a run usually waits a few events, and now and then past the end of the tick
    const idle = this.agenda.length === 0 && !this.network.hasDue(this.tick)
    if (ready.length > 0 && this.rng.chance(idle ? 0.8 : 0.3)) {
      this.runReady(ready[this.rng.nextInt(ready.length)]!)
    } else if (this.network.hasDue(this.tick) && (this.agenda.length === 0 || this.rng.chance(0.7))) {
      this.deliver()
    } else if (this.agenda.length > 0) {
      this.agenda.shift()!()
    } else {
      this.tick++
      this.agenda = this.drawAgenda(chaos)
      this.log('tick')
    }
    await flush()
    this.throwIfFailed()
    this.guard(() => this.monitor.afterEvent(this.nodes.values()))
    this.countLeaders()
  }

  private nodesWithPendingReady (): SimNode[] {
    if (!this.config.deferReady) return []
    return [...this.nodes.values()].filter(n => n.up && n.pendingReadies.length > 0)
  }

  /** one deferred Ready-run: the driver saves, sends, applies what it accepted since */
  private runReady (n: SimNode): void {
    const run = n.pendingReadies.shift()!
    this.stats.readyRuns++
    this.log(`${n.id} ready`)
    this.guard(run)
  }

  private drawAgenda (chaos: boolean): Array<() => void> {
    const events: Array<() => void> = []
    for (const n of this.nodes.values()) {
      // a rare skipped tick is clock drift between nodes
      if (n.up && !this.rng.chance(0.03)) events.push(() => this.tickNode(n))
    }
    if (chaos) {
      for (const slot of this.workload.idleSlots()) {
        if (this.rng.chance(this.config.clientRate)) events.push(() => this.clientRequest(slot))
      }
      if (this.rng.chance(this.config.faultRate)) events.push(() => this.fault())
      // membership changes get their own stream: as faults they would be too rare to matter
      if (this.config.membershipChanges && this.rng.chance(MEMBERSHIP_RATE)) events.push(() => this.membershipChange())
    }
    // shuffle (Fisher-Yates) so node order within a tick varies
    for (let i = events.length - 1; i > 0; i--) {
      const j = this.rng.nextInt(i + 1)
      const t = events[i]!; events[i] = events[j]!; events[j] = t
    }
    return events
  }

  private tickNode (n: SimNode): void {
    if (n.driver === undefined) return
    this.guard(() => n.driver!.tick())
  }

  private deliver (): void {
    const taken = this.network.takeDue(this.tick)
    if (taken === undefined) return
    const m = taken.flight.message
    const to = this.nodes.get(m.to)
    if (taken.blocked || to?.driver === undefined) {
      this.log(`drop ${formatMessage(m)} (${taken.blocked ? 'partitioned' : 'node down'})`)
      // a real transport often learns of the failure (connection refused or reset)
      const from = this.nodes.get(m.from)
      if (from?.driver !== undefined && this.rng.chance(0.5)) this.guard(() => from.driver!.reportUnreachable(m.to))
      return
    }
    this.log(`deliver ${formatMessage(m)}`)
    this.guard(() => to.driver!.receive(m))
  }

  private send (from: SimNode, messages: readonly Message[]): void {
    for (const m of messages) {
      this.guard(() => this.monitor.sent(m, from.durable))
      const copies = this.nodes.get(m.to)?.retired === false ? this.network.send(m, this.tick) : 0
      if (copies !== 1) this.log(`send ${formatMessage(m)} ${copies === 0 ? 'LOST' : 'DUPLICATED'}`)
    }
  }

  private clientRequest (slot: number): void {
    const node = this.randomLiveNode()
    if (node !== undefined) this.workload.issue(slot, node)
  }

  // ---- faults

  private fault (): void {
    const kind = chooseFault(this.rng)
    const all = [...this.nodes.values()].filter(n => !n.retired)
    const ids = all.map(n => n.id)
    switch (kind) {
      case 'crash': {
        // with deferred readies, aim half the crashes at a node holding accepted but unsaved
        // state: a uniform pick rarely lands in that window (about 1 crash in 13)
        const unsaved = this.nodesWithPendingReady()
        const n = unsaved.length > 0 && this.rng.chance(0.5) ? unsaved[this.rng.nextInt(unsaved.length)] : this.randomLiveNode()
        if (n !== undefined) this.crash(n)
        return
      }
      case 'crash-leader': {
        const leader = all.find(n => n.up && n.status()?.role === 'leader')
        if (leader !== undefined) this.crash(leader)
        return
      }
      case 'isolate-leader': {
        const leader = all.find(n => n.up && n.status()?.role === 'leader')
        if (leader === undefined) return
        for (const other of ids) if (other !== leader.id) { this.network.block(leader.id, other); this.network.block(other, leader.id) }
        this.log(`partition: leader ${leader.id} isolated`)
        return
      }
      case 'restart': {
        const down = all.filter(n => !n.up)
        if (down.length > 0) this.restart(down[this.rng.nextInt(down.length)]!)
        return
      }
      case 'isolate': {
        const victim = ids[this.rng.nextInt(ids.length)]!
        for (const other of ids) if (other !== victim) { this.network.block(victim, other); this.network.block(other, victim) }
        this.log(`partition: ${victim} isolated`)
        return
      }
      case 'split': {
        const side = ids.filter(() => this.rng.chance(0.5))
        for (const a of side) for (const b of ids) if (!side.includes(b)) { this.network.block(a, b); this.network.block(b, a) }
        this.log(`partition: {${side.join(',')}} | {${ids.filter(i => !side.includes(i)).join(',')}}`)
        return
      }
      case 'one-way': {
        const a = ids[this.rng.nextInt(ids.length)]!
        const b = ids[this.rng.nextInt(ids.length)]!
        if (a !== b) { this.network.block(a, b); this.log(`partition: one-way ${a} -/-> ${b}`) }
        return
      }
      case 'heal-links':
        this.network.healLinks()
        this.log('heal: all links up')
        return
      case 'network-rates':
        this.network.faults = chooseNetworkRates(this.rng)
        this.log(`network: ${JSON.stringify(this.network.faults)}`)
        return
      case 'membership':
        if (this.config.membershipChanges) this.membershipChange()
        return
      case 'transfer-leader': {
        const leader = all.find(n => n.status()?.role === 'leader')
        const voters = this.conf.voters.filter(v => v !== leader?.id)
        if (leader?.driver !== undefined && voters.length > 0) {
          const to = voters[this.rng.nextInt(voters.length)]!
          this.log(`transfer leadership ${leader.id} -> ${to}`)
          this.guard(() => {
            try {
              leader.driver!.transferLeadership(to)
            } catch (err) {
              // an expected refusal (e.g. the leader was just removed), not a bug
              if (!isJadfsError(err)) throw err
              this.log(`transfer refused: ${err.code}`)
            }
          })
        }
      }
    }
  }

  private crash (n: SimNode): void {
    this.stats.crashes++
    const pending = n.pendingReadies.length
    this.log(`crash ${n.id} (durable: ${describeDurable(n)})${pending > 0 ? `, ${pending} pending ready discarded` : ''}`)
    this.countDiscarded(n.crash())
    this.workload.nodeCrashed(n.id)
    this.network.dropTo(n.id)
  }

  private restart (n: SimNode): void {
    this.log(`restart ${n.id} (durable: ${describeDurable(n)})`)
    this.guard(() => n.start())
  }

  /** add a learner, promote a learner, or remove a node; one at a time */
  private membershipChange (): void {
    if (this.confChangeInFlight) return
    const proposer = this.randomLiveNode()
    if (proposer?.driver === undefined) return
    // the view may be stale (a leader that has not applied a removal yet): a removed id must
    // never come back, so retired nodes are left out
    const alive = (id: NodeId): boolean => this.nodes.get(id)?.retired === false
    const voters = this.conf.voters.filter(alive)
    const learners = this.conf.learners.filter(alive)
    const r = this.rng.nextInt(3)
    let change: ConfChange
    if (r === 0 && voters.length + learners.length < 7) {
      const id = `n${this.nextNodeNumber++}`
      const node = new SimNode(id, undefined, this.runtime)
      this.nodes.set(id, node)
      this.guard(() => node.start())
      change = { type: 'addLearner', nodeId: id }
    } else if (r === 1 && learners.length > 0 && voters.length < 5) {
      change = { type: 'addVoter', nodeId: learners[this.rng.nextInt(learners.length)]! }
    } else if (r === 2 && (voters.length > 3 || learners.length > 0)) {
      const pool = voters.length > 3 ? [...voters, ...learners] : [...learners]
      change = { type: 'removeNode', nodeId: pool[this.rng.nextInt(pool.length)]! }
    } else {
      return
    }
    this.confChangeInFlight = true
    this.stats.confChanges++
    this.log(`conf change ${change.type} ${change.nodeId} @${proposer.id}`)
    proposer.driver.proposeConfChange(change).then(
      (conf) => this.inCallback(() => {
        this.confChangeInFlight = false
        this.setConf(conf)
        this.log(`conf change ${change.type} ${change.nodeId} applied: voters ${conf.voters.join(',')} learners ${conf.learners.join(',')}`)
        if (change.type === 'removeNode') this.retire(change.nodeId)
      }),
      (err: unknown) => {
        this.confChangeInFlight = false
        this.log(`conf change ${change.type} ${change.nodeId} failed: ${errorText(err)}`)
      })
  }

  /** a removed node leaves for good (ids are never reused) */
  private retire (id: NodeId): void {
    const n = this.nodes.get(id)
    if (n === undefined || n.retired) return
    if (n.up) this.countDiscarded(n.crash())
    this.workload.nodeCrashed(id)
    this.network.dropTo(id)
    n.retired = true
    this.log(`retire ${id}`)
  }

  // ---- helpers

  private countDiscarded (lost: number): void {
    if (lost === 0) return
    this.stats.crashesWithPendingReady++
    this.stats.readiesDiscarded += lost
  }

  private setConf (conf: ConfState): void {
    this.conf = conf
    for (const id of [...conf.voters, ...conf.learners]) this.everMember.add(id)
  }

  private randomLiveNode (): SimNode | undefined {
    const live = [...this.nodes.values()].filter(n => n.up)
    return live.length === 0 ? undefined : live[this.rng.nextInt(live.length)]
  }

  private countLeaders (): void {
    for (const n of this.nodes.values()) {
      const st = n.up ? n.status() : undefined
      if (st?.role === 'leader' && (this.leaderTerms.get(n.id) ?? -1) !== st.term) {
        this.leaderTerms.set(n.id, st.term)
        this.stats.leadersElected++
        this.setConf(st.confState)
        this.log(`${n.id} is leader of term ${st.term}`)
      }
    }
  }

  private readonly leaderTerms = new Map<NodeId, number>()

  private describeCluster (): string {
    return [...this.nodes.values()].filter(n => !n.retired).map(n => {
      const st = n.status()
      return st === undefined ? `${n.id}:down` : `${n.id}:${st.role} t${st.term} lead=${st.leader || '-'} c${st.commit} a${st.applied}`
    }).join(' ')
  }

  private log (text: string): void {
    this.trace.line(this.step, this.tick, text)
  }

  /** runs a call into a driver or checker; anything thrown ends the run as a violation */
  private guard (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.recordFailure(err)
      this.throwIfFailed()
    }
  }

  /** inside a promise callback a throw would be an unhandled rejection: record it, the event
   * loop throws it after the drain */
  private inCallback (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.recordFailure(err)
    }
  }

  private recordFailure (err: unknown): void {
    if (this.failure === undefined) this.failure = err
  }

  private throwIfFailed (): void {
    const f = this.monitor.firstViolation ?? this.failure
    if (f === undefined) return
    if (f instanceof InvariantViolation) throw f
    throw new InvariantViolation('crash', errorText(f))
  }
}

function describeDurable (n: SimNode): string {
  const hs = n.durable.initialState().hardState
  return `t${hs.term} v=${hs.vote || '-'} c${hs.commit} log ${n.durable.firstIndex()}..${n.durable.lastIndex()}`
}

function errorText (err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 2000)
  return String(err)
}
