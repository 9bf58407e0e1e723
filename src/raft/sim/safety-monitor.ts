// Wires the invariant checkers to what the simulator sees: durable batches (log matching,
// commit, hard state, snapshots), messages as they leave (persist-before-send, leaders by what
// they send), entries as state machines apply them, client acknowledgements, and after every
// event each live node's status (leaders, leader completeness, acknowledged writes).

import { createHash } from 'node:crypto'
import type { SaveBatch } from '../storage.js'
import type { MemoryRaftStorage } from '../storage/memory-storage.js'
import type { Entry, Message, NodeId, RaftRole, Snapshot } from '../types.js'
import {
  AcknowledgedWriteChecker, CommittedLogChecker, ElectionSafetyChecker, HardStateChecker, LogMatchingChecker,
  checkPersistedBeforeSend, violation, type Ack, type AppliedView
} from './invariants/index.js'
import type { StorageObserver } from './observed-storage.js'

export interface MonitoredNode {
  readonly id: NodeId
  readonly durable: MemoryRaftStorage
  /** undefined while crashed */
  live (): { role: RaftRole, term: number, view: AppliedView } | undefined
}

export interface SafetyMonitorInit {
  /** @default true; the broken-core tests turn it off to show deeper consequences */
  readonly persistBeforeSend?: boolean
}

const LEADER_ONLY = new Set(['MsgApp', 'MsgHeartbeat', 'MsgSnap'])

export class SafetyMonitor {
  readonly election = new ElectionSafetyChecker()
  readonly logMatching = new LogMatchingChecker()
  readonly committed = new CommittedLogChecker()
  readonly hardStates = new HardStateChecker()
  readonly acked = new AcknowledgedWriteChecker()
  private readonly snapshotAt = new Map<number, { digest: string, node: NodeId }>()
  private readonly commitSeen = new Map<NodeId, number>()
  private readonly persistBeforeSend: boolean
  /** the first violation any hook threw: the driver may catch what a state machine throws
   * (it answers the proposer with it), so the simulator asks here after every event */
  firstViolation: unknown
  /** how often snapshots were taken and installed from a leader, to show the paths ran */
  readonly counts = { snapshotsCreated: 0, snapshotsInstalled: 0 }

  constructor (init: SafetyMonitorInit = {}) {
    this.persistBeforeSend = init.persistBeforeSend ?? true
  }

  storageObserver (node: NodeId, durable: MemoryRaftStorage): StorageObserver {
    return {
      saved: (batch) => this.record(() => this.saved(node, durable, batch)),
      snapshotCreated: (snap) => this.record(() => { this.counts.snapshotsCreated++; this.snapshot(node, snap) })
    }
  }

  sent (m: Message, durable: MemoryRaftStorage): void {
    this.record(() => {
      if (LEADER_ONLY.has(m.type)) this.election.observeLeader(m.term, m.from)
      if (this.persistBeforeSend) {
        checkPersistedBeforeSend(m, { hardState: () => durable.initialState().hardState, lastIndex: () => durable.lastIndex() })
      }
    })
  }

  applied (node: NodeId, entry: Entry, durable: MemoryRaftStorage): void {
    this.record(() => this.committed.observeCommitted(node, entry, durable.initialState().hardState.term, 'applied'))
  }

  private record (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      if (this.firstViolation === undefined) this.firstViolation = err
      throw err
    }
  }

  ack (ack: Ack, nodes: Iterable<MonitoredNode>): void {
    const views: AppliedView[] = []
    for (const n of nodes) {
      const live = n.live()
      if (live !== undefined) views.push(live.view)
    }
    this.acked.observeAck(ack, views)
  }

  afterEvent (nodes: Iterable<MonitoredNode>): void {
    for (const n of nodes) {
      const live = n.live()
      if (live === undefined) continue
      if (live.role === 'leader') {
        this.election.observeLeader(live.term, n.id)
        this.committed.checkLeader(n.id, live.term, n.durable)
      }
      this.acked.checkView(live.view)
    }
  }

  private saved (node: NodeId, durable: MemoryRaftStorage, batch: SaveBatch): void {
    if (batch.snapshot !== undefined) {
      this.counts.snapshotsInstalled++
      this.snapshot(node, batch.snapshot)
    }
    const first = batch.entries[0]
    if (first !== undefined) this.logMatching.observeEntries(node, termOrUndefined(durable, first.index - 1), batch.entries)
    if (batch.hardState !== undefined) {
      this.hardStates.observe(node, batch.hardState)
      const from = Math.max(this.commitSeen.get(node) ?? 0, durable.firstIndex() - 1)
      const to = Math.min(batch.hardState.commit, durable.lastIndex())
      if (to > from) {
        for (const e of durable.entries(from + 1, to + 1)) this.committed.observeCommitted(node, e, batch.hardState.term, 'committed')
      }
      this.commitSeen.set(node, Math.max(this.commitSeen.get(node) ?? 0, batch.hardState.commit))
    }
  }

  /** snapshots are committed state: one per index, equal bytes on every node, the committed term */
  private snapshot (node: NodeId, snap: Snapshot): void {
    const { index, term } = snap.metadata
    if (index === 0) return
    const digest = createHash('sha1').update(snap.data).digest('hex')
    const known = this.snapshotAt.get(index)
    if (known === undefined) this.snapshotAt.set(index, { digest, node })
    else if (known.digest !== digest) violation('state-machine-safety', `snapshots at index ${index} differ between ${known.node} and ${node}`, { index })
    const committed = this.committed.committedAt(index)
    if (committed !== undefined && committed.term !== term) {
      violation('state-machine-safety', `${node} holds a snapshot at index ${index} of term ${term}, but the entry committed there has term ${committed.term}`, { index })
    }
  }
}

function termOrUndefined (storage: MemoryRaftStorage, index: number): number | undefined {
  if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) return undefined
  return storage.term(index)
}
