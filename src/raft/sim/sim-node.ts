// One simulated peer. Its MemoryRaftStorage is its disk: it outlives crashes. Everything else
// (driver, core, state machine) is process memory: a crash throws it away, and a restart
// builds new ones over the same storage, with the state machine restored from the latest
// snapshot and the rest replayed by the driver, exactly what a real restart recovers.

import type { RaftDriver, RaftDriverConfig, RaftStatus } from '../api.js'
import type { RaftStorage } from '../storage.js'
import { MemoryRaftStorage } from '../storage/memory-storage.js'
import type { ConfState, Message, NodeId } from '../types.js'
import type { AppliedView } from './invariants/index.js'
import { KvStateMachine } from './kv-state-machine.js'
import { ObservedStorage } from './observed-storage.js'
import type { MonitoredNode, SafetyMonitor } from './safety-monitor.js'

export type DriverFactory = (config: RaftDriverConfig) => RaftDriver

/** test hook: what the driver sees in place of the node's durable storage (a broken disk) */
export type StorageWrapper = (storage: RaftStorage, node: NodeId, incarnation: number) => RaftStorage

export interface NodeRuntime {
  readonly monitor: SafetyMonitor
  readonly createDriver: DriverFactory
  readonly wrapStorage: StorageWrapper
  /** driver options other than id, storage, transport, state machine */
  readonly driverOptions: Omit<RaftDriverConfig, 'id' | 'storage' | 'transport' | 'stateMachine'>
  /** a message a live incarnation sent */
  send (from: SimNode, messages: readonly Message[]): void
  /** defer each Ready to an event of its own (see SimConfig.deferReady) */
  readonly deferReady: boolean
  readonly proposalWindow: number
}

export class SimNode implements MonitoredNode {
  readonly durable: MemoryRaftStorage
  incarnation = 0
  driver: RaftDriver | undefined
  sm: KvStateMachine | undefined
  /** removed from the cluster and stopped for good */
  retired = false
  /**
   * Ready-runs the driver scheduled and the event loop has not run yet: state the core holds
   * in memory only. A crash discards them, exactly like a crash before the fsync.
   */
  pendingReadies: Array<() => void> = []
  private view: AppliedView | undefined

  constructor (readonly id: NodeId, bootstrap: ConfState | undefined, private readonly runtime: NodeRuntime) {
    this.durable = new MemoryRaftStorage(bootstrap)
  }

  get up (): boolean {
    return this.driver !== undefined
  }

  start (): void {
    this.incarnation++
    const incarnation = this.incarnation
    const { monitor } = this.runtime
    const sm = new KvStateMachine({ onApply: (entry) => monitor.applied(this.id, entry, this.durable) }, this.runtime.proposalWindow)
    const snap = this.durable.snapshot()
    if (snap.metadata.index > 0) sm.restore(snap.data, snap.metadata.index)
    const storage = this.runtime.wrapStorage(new ObservedStorage(this.durable, monitor.storageObserver(this.id, this.durable)), this.id, incarnation)
    this.sm = sm
    this.view = { key: `${this.id}#${incarnation}`, node: this.id, appliedIndex: () => sm.appliedIndex(), indexOf: (op) => sm.indexOf(op) }
    // this.sm is set before the factory runs: a driver may send while it starts, and the
    // transport below accepts sends of this incarnation only
    const driver = this.runtime.createDriver({
      ...this.runtime.driverOptions,
      id: this.id,
      storage,
      stateMachine: sm,
      ...(this.runtime.deferReady
        ? {
            scheduleReady: (run: () => void) => {
              // a stopped incarnation's run would do nothing; keep the queue to live state
              if (this.incarnation === incarnation && this.sm === sm) this.pendingReadies.push(run)
            }
          }
        : {}),
      transport: {
        send: (messages) => {
          if (this.incarnation === incarnation && this.sm === sm) this.runtime.send(this, messages)
        }
      }
    })
    this.driver = driver
  }

  /** stops the incarnation; returns how many scheduled Ready-runs it lost */
  crash (): number {
    const lost = this.pendingReadies.length
    this.pendingReadies = []
    const driver = this.driver
    this.driver = undefined
    this.sm = undefined
    this.view = undefined
    driver?.stop()
    return lost
  }

  status (): RaftStatus | undefined {
    return this.driver?.status()
  }

  live (): ReturnType<MonitoredNode['live']> {
    if (this.driver === undefined || this.view === undefined) return undefined
    const st = this.driver.status()
    return { role: st.role, term: st.term, view: this.view }
  }
}
