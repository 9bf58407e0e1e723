// gossipsub forgets a peer for good when one of that peer's gossip streams fails while a
// connection to it stays open. It drops the peer on any read error of the peer's stream
// (ChainSafe/js-libp2p-gossipsub#456, unchanged in @libp2p/gossipsub 17.1.1), and it hears of
// a peer again only when libp2p reports the peer connected (once, until its last connection
// closes) or when the peer opens a gossip stream to it. Seen on a saturated 20 Mbit/s link:
// libp2p's connection monitor cut one of two connections between two peers, the gossip
// streams on it failed, and the peers stayed connected but deaf to each other: no heartbeats,
// so each called the other dead, and placement and repair stopped using it.
//
// The repair, every intervalMs: a peer that has had an open connection for graceMs, speaks
// gossipsub, and is not among gossipsub's peers gets a gossip stream opened to it (a knock).
// Its gossipsub takes the knock as a new inbound stream, adds us, and opens its own stream to
// us, which makes ours add it back. The knock is closed for writing at once, never reset: a
// reset is a read error on the peer's side, the very thing that makes it drop a peer. If the
// peer is still missing hangUpAfterMs after the knock (its gossipsub still holds a stream to
// us, so it opens no new one), its connections are closed: the next connection is then
// reported to gossipsub on both sides as new. That wait is long because closing a connection
// aborts every transfer on it, and on a saturated link the knock and the answer queue behind
// those transfers' data (a 5 s wait cut live transfers in a test on a 20 Mbit/s link).
import type { Connection, PeerId } from '@libp2p/interface'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from 'libp2p'
import { assert } from '../../util/assert.js'
import { RunLoop } from '../../util/run-loop.js'
import type { P2pLogger } from '../logger.js'

/** What the repair reads of a connection; libp2p's Connection has it. */
export type LinkConnection = Pick<Connection, 'remotePeer' | 'status' | 'timeline'>

export interface GossipLinkRepairDeps<C extends LinkConnection> {
  /** every connection libp2p holds */
  readonly connections: () => readonly C[]
  /** the peers gossipsub exchanges messages with */
  readonly gossipPeers: () => readonly PeerId[]
  /** whether the peer announced a gossipsub protocol (known once identify ran) */
  readonly speaksGossip: (peer: PeerId) => Promise<boolean>
  /** opens a gossip stream on the connection and closes it for writing */
  readonly knock: (connection: C, signal: AbortSignal) => Promise<void>
  /** closes every connection to the peer */
  readonly hangUp: (peer: PeerId, signal: AbortSignal) => Promise<void>
  readonly logger: P2pLogger
  readonly nowMs: () => number
}

export interface GossipLinkRepairTiming {
  /** between checks */
  readonly intervalMs: number
  /** a connection younger than this may still be in identify, before gossipsub hears of it */
  readonly graceMs: number
  /** deadline of one knock or hang-up */
  readonly stepTimeoutMs: number
  /** how long a knock has to bring the peer back before its connections are closed */
  readonly hangUpAfterMs: number
}

export const DEFAULT_GOSSIP_LINK_REPAIR: GossipLinkRepairTiming = {
  intervalMs: 5_000,
  graceMs: 10_000,
  stepTimeoutMs: 30_000,
  hangUpAfterMs: 60_000
}

export class GossipLinkRepair<C extends LinkConnection> {
  /** peers knocked and not yet seen back in gossipsub: when */
  private readonly knockedAtMs = new Map<string, number>()

  constructor (private readonly deps: GossipLinkRepairDeps<C>, private readonly timing: GossipLinkRepairTiming = DEFAULT_GOSSIP_LINK_REPAIR) {
    assert(timing.intervalMs > 0 && timing.graceMs >= 0 && timing.stepTimeoutMs > 0 && timing.hangUpAfterMs > 0, 'gossip link repair timing out of range', timing)
  }

  /** One pass over the connections; `signal` aborts it (the loop stopping). Never rejects. */
  async check (signal: AbortSignal): Promise<void> {
    const { deps, timing } = this
    const now = deps.nowMs()
    const known = new Set(deps.gossipPeers().map((p) => p.toString()))
    const links = new Map<string, { peer: PeerId, newest: C, oldestOpenMs: number }>()
    for (const connection of deps.connections()) {
      if (connection.status !== 'open') continue
      const id = connection.remotePeer.toString()
      const link = links.get(id)
      if (link === undefined) {
        links.set(id, { peer: connection.remotePeer, newest: connection, oldestOpenMs: connection.timeline.open })
      } else {
        if (connection.timeline.open > link.newest.timeline.open) link.newest = connection
        link.oldestOpenMs = Math.min(link.oldestOpenMs, connection.timeline.open)
      }
    }
    for (const id of [...this.knockedAtMs.keys()]) {
      if (known.has(id) || !links.has(id)) this.knockedAtMs.delete(id)
    }
    for (const [id, link] of links) {
      if (signal.aborted) return
      if (known.has(id) || now - link.oldestOpenMs < timing.graceMs) continue
      const step = AbortSignal.any([signal, AbortSignal.timeout(timing.stepTimeoutMs)])
      try {
        if (!(await deps.speaksGossip(link.peer))) continue
        const knockedAt = this.knockedAtMs.get(id)
        if (knockedAt === undefined) {
          this.knockedAtMs.set(id, now)
          deps.logger.info({ peerId: id }, 'gossip with a connected peer had stopped; opening a gossip stream to it')
          await deps.knock(link.newest, step)
        } else if (now - knockedAt >= timing.hangUpAfterMs) {
          this.knockedAtMs.delete(id)
          deps.logger.warn({ peerId: id }, 'gossip with a connected peer stayed stopped after a new gossip stream was opened to it; closing its connections so both sides start afresh')
          await deps.hangUp(link.peer, step)
        }
      } catch (err) {
        deps.logger.debug({ peerId: id, err: (err as Error).message }, 'gossip link repair step failed')
      }
    }
  }

  /** Checks every intervalMs (after the previous check ended) until the loop is stopped. */
  start (): RunLoop {
    const loop = new RunLoop(async (signal) => { await this.check(signal) }, (err) => {
      this.deps.logger.warn({ err: (err as Error).message }, 'gossip link repair failed')
    })
    loop.start(this.timing.intervalMs)
    return loop
  }
}

/** The repair's view of a libp2p node with gossipsub as its `pubsub` service. */
export function libp2pGossipLinks (libp2p: Libp2p<{ pubsub: GossipSub }>, logger: P2pLogger): GossipLinkRepairDeps<Connection> {
  const pubsub = libp2p.services.pubsub
  return {
    connections: () => libp2p.getConnections(),
    gossipPeers: () => pubsub.getPeers(),
    speaksGossip: async (peer) => {
      try {
        return (await libp2p.peerStore.get(peer)).protocols.some((p) => pubsub.protocols.includes(p))
      } catch {
        return false // not identified yet
      }
    },
    knock: async (connection, signal) => {
      const stream = await connection.newStream(pubsub.protocols, { signal })
      await stream.close({ signal })
    },
    hangUp: async (peer, signal) => { await libp2p.hangUp(peer, { signal }) },
    logger,
    nowMs: () => Date.now()
  }
}
