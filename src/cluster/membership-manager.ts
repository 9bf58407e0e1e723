// Cluster formation, run by the leader only, one configuration change at a time (our Raft
// changes membership one server at a time, so each change must commit before the next):
//  1. a peer heard on gossip that is not a member, and that we can dial, joins as a learner;
//  2. while there are fewer voters than the target, a live, caught-up learner is promoted;
//  3. a voter dead for longer than replaceAfterMs is replaced: a learner is promoted first
//     (the majority is then counted over one more voter, of whom enough are alive), and the
//     dead voter is removed on a later round, once the set is above its target;
//  4. a learner dead for DEAD_LEARNER_FACTOR times that long is removed (it is added again
//     if it comes back).
// A voter is never removed while no replacement exists: that would not add any safety.
import type { RaftStatus } from '../raft/api.js'
import type { ConfChange, ConfState, NodeId } from '../raft/types.js'

export interface PeerSighting {
  readonly peerId: string
  readonly state: 'alive' | 'suspect' | 'dead'
  /** our clock when its last heartbeat arrived */
  readonly lastSeenMs: number
}

export interface MembershipManagerComponents {
  readonly selfId: NodeId
  readonly targetVoters: number
  readonly replaceAfterMs: number
  status: () => RaftStatus
  peers: () => readonly PeerSighting[]
  /** dials the peer; resolves with its addresses (for the conf change context) or rejects */
  reach: (peerId: string, signal: AbortSignal) => Promise<readonly string[]>
  change: (change: ConfChange) => Promise<ConfState>
  nowMs: () => number
  logger: { info: (obj: object, msg?: string) => void, warn: (obj: object, msg?: string) => void }
}

/** a learner dead this many times replaceAfterMs is removed from the configuration */
export const DEAD_LEARNER_FACTOR = 4
/** a learner within this many entries of the leader's log may be promoted */
const CAUGHT_UP_ENTRIES = 64
const REACH_TIMEOUT_MS = 5_000
/** a peer removed by hand is not added back automatically for this long */
const MANUAL_REMOVAL_MEMORY_MS = 10 * 60_000

export class MembershipManager {
  private timer: ReturnType<typeof setInterval> | undefined
  private running = false
  private readonly stopping = new AbortController()
  /** when each voter missing from the peer table was first noticed missing */
  private readonly missingSince = new Map<string, number>()
  private readonly removedByHand = new Map<string, number>()

  constructor (private readonly c: MembershipManagerComponents) {}

  start (intervalMs: number): void {
    this.timer = setInterval(() => { void this.runOnce() }, intervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.stopping.abort()
  }

  noteRemovedByHand (peerId: string): void {
    this.removedByHand.set(peerId, this.c.nowMs())
  }

  /** makes at most one change; returns what it did, for logs and tests */
  async runOnce (): Promise<string | null> {
    if (this.running) return null
    this.running = true
    try {
      return await this.decideAndChange()
    } catch (err) {
      this.c.logger.warn({ err: (err as Error).message }, 'a membership change failed; it is retried on the next round')
      return null
    } finally {
      this.running = false
    }
  }

  private async decideAndChange (): Promise<string | null> {
    const st = this.c.status()
    if (st.role !== 'leader') {
      this.missingSince.clear()
      return null
    }
    const now = this.c.nowMs()
    const { voters, learners } = st.confState
    const members = new Set([...voters, ...learners])
    const sightings = new Map(this.c.peers().map((p) => [p.peerId, p]))
    for (const [peerId, at] of this.removedByHand) if (now - at > MANUAL_REMOVAL_MEMORY_MS) this.removedByHand.delete(peerId)

    // 1. newcomers
    for (const p of sightings.values()) {
      if (p.state !== 'alive' || members.has(p.peerId) || p.peerId === this.c.selfId || this.removedByHand.has(p.peerId)) continue
      const addrs = await this.reachable(p.peerId)
      if (addrs === null) continue
      await this.c.change({ type: 'addLearner', nodeId: p.peerId, context: new TextEncoder().encode(JSON.stringify({ addrs })) })
      this.c.logger.info({ peerId: p.peerId }, 'added a peer to the cluster as a learner')
      return `addLearner ${p.peerId}`
    }

    const deadVoters = voters.filter((v) => v !== this.c.selfId && this.deadForMs(v, sightings, now) > this.c.replaceAfterMs)
    const candidates = learners
      .filter((l) => sightings.get(l)?.state === 'alive' && this.caughtUp(st, l))
      .sort()
    const liveVoters = voters.length - deadVoters.length

    // 2 and 3a: promote while the live voters are short of the target
    const promote = candidates[0]
    if (promote !== undefined && liveVoters < this.c.targetVoters) {
      await this.c.change({ type: 'addVoter', nodeId: promote })
      this.c.logger.info({ peerId: promote, replacing: deadVoters }, deadVoters.length > 0 ? 'promoted a learner to replace a dead voter' : 'promoted a learner to voter')
      return `addVoter ${promote}`
    }
    // 3b: remove a dead voter once the set is above its target
    const dead = deadVoters.sort()[0]
    if (dead !== undefined && voters.length > this.c.targetVoters) {
      await this.c.change({ type: 'removeNode', nodeId: dead })
      this.missingSince.delete(dead)
      this.c.logger.warn({ peerId: dead, deadForMs: this.deadForMs(dead, sightings, now) }, 'removed a dead voter from the cluster')
      return `removeNode ${dead}`
    }
    // 4. forget learners gone for long (the leader would go on sending to them); one that comes
    // back is added again as a newcomer and catches up
    const goneLearner = learners
      .filter((l) => this.deadForMs(l, sightings, now) > DEAD_LEARNER_FACTOR * this.c.replaceAfterMs)
      .sort()[0]
    if (goneLearner !== undefined) {
      await this.c.change({ type: 'removeNode', nodeId: goneLearner })
      this.missingSince.delete(goneLearner)
      this.c.logger.warn({ peerId: goneLearner }, 'removed a learner that has been dead for long')
      return `removeNode ${goneLearner}`
    }
    return null
  }

  private deadForMs (peerId: string, sightings: ReadonlyMap<string, PeerSighting>, now: number): number {
    const seen = sightings.get(peerId)
    if (seen !== undefined) {
      this.missingSince.delete(peerId)
      return seen.state === 'dead' ? now - seen.lastSeenMs : 0
    }
    // never heard since this leader took over: count from when we first noticed
    const since = this.missingSince.get(peerId) ?? now
    this.missingSince.set(peerId, since)
    return now - since
  }

  private caughtUp (st: RaftStatus, peerId: string): boolean {
    const match = st.progress?.[peerId]?.match ?? 0
    return match + CAUGHT_UP_ENTRIES >= st.lastIndex
  }

  private async reachable (peerId: string): Promise<readonly string[] | null> {
    const deadline = AbortSignal.any([AbortSignal.timeout(REACH_TIMEOUT_MS), this.stopping.signal])
    try {
      return await this.c.reach(peerId, deadline)
    } catch (err) {
      this.c.logger.warn({ peerId, err: (err as Error).message }, 'a peer heard on gossip could not be dialled; not adding it yet')
      return null
    }
  }
}
