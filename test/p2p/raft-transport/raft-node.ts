// One Raft peer of the integration test, as a daemon would assemble it: a libp2p host, the
// Raft transport, createRaftDriver over SqliteRaftStorage in a data directory, a Map as the
// state machine, and a real timer ticking the driver. stop() tears it all down; a new
// RaftNode over the same key, address and directory is the same peer restarted.
import { join } from 'node:path'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { createLibp2pRaftTransport } from '../../../src/p2p/raft-transport/index.js'
import type { Libp2pRaftTransport } from '../../../src/p2p/raft-transport/index.js'
import type { RaftDriver, StateMachine } from '../../../src/raft/api.js'
import { createRaftDriver } from '../../../src/raft/driver/index.js'
import { SqliteRaftStorage } from '../../../src/raft/storage/sqlite-storage.js'
import type { Entry, Message, MessageType, NodeId } from '../../../src/raft/types.js'
import { createPrng } from '../../../src/util/prng.js'
import { ProposalWindow, type ProposalTag, type ProposalVerdict } from '../../../src/raft/proposal-window.js'
import { startHost } from '../helpers/hosts.js'

export const TICK_MS = 20
export const ELECTION_TICK = 10

/** `key=value` commands; the state is the map, serialised as JSON pairs for snapshots. */
export class MapStateMachine implements StateMachine {
  data = new Map<string, string>()
  private index = 0
  private readonly proposals = new ProposalWindow()

  apply (entry: Entry, payload: Uint8Array, proposal: ProposalTag | undefined): unknown {
    this.index = entry.index
    const skipped = this.proposals.admit(entry.index, proposal)
    if (skipped !== undefined) return skipped
    const [key, value] = new TextDecoder().decode(payload).split('=') as [string, string]
    this.data.set(key, value)
    return entry.index
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

export interface RaftNodeInit {
  readonly key: PrivateKey
  readonly listen: string
  readonly dataDir: string
  readonly voters: readonly NodeId[]
  /** where each node id can be reached (with /p2p/) */
  readonly book: ReadonlyMap<NodeId, Multiaddr>
  readonly seed: number
  readonly snapshotEntries: number
}

export class RaftNode {
  /** types of the messages this node received, in order */
  readonly receivedTypes: MessageType[] = []
  private ticker: ReturnType<typeof setInterval> | undefined
  private stopped = false

  private constructor (
    readonly id: NodeId,
    readonly host: JadfsHost,
    readonly storage: SqliteRaftStorage,
    readonly transport: Libp2pRaftTransport,
    readonly driver: RaftDriver,
    readonly sm: MapStateMachine
  ) {}

  static async start (init: RaftNodeInit): Promise<RaftNode> {
    const host = await startHost({ privateKey: init.key, listen: [init.listen] })
    const id = host.peerId.toString()
    const storage = SqliteRaftStorage.open(join(init.dataDir, 'raft.sqlite'), { initialConfState: { voters: [...init.voters], learners: [] } })
    const sm = new MapStateMachine()
    // the transport needs the driver and the driver the transport: the callback closes over it
    let receive: (m: Message) => void = () => {}
    const transport = createLibp2pRaftTransport({
      host,
      resolvePeer: (nodeId) => init.book.get(nodeId),
      onMessage: (m) => { receive(m) },
      maxReconnectBackoffMs: 500
    })
    const driver = createRaftDriver({
      id,
      storage,
      transport,
      stateMachine: sm,
      rng: createPrng(init.seed),
      electionTick: ELECTION_TICK,
      heartbeatTick: 1,
      preVote: true,
      checkQuorum: true,
      requestTimeoutTicks: 50,
      snapshotEntries: init.snapshotEntries
    })
    const node = new RaftNode(id, host, storage, transport, driver, sm)
    receive = (m) => {
      node.receivedTypes.push(m.type)
      driver.receive(m)
    }
    await transport.start()
    node.ticker = setInterval(() => { driver.tick() }, TICK_MS)
    return node
  }

  /** the loopback address with /p2p/, for the address book */
  addr (): Multiaddr {
    const a = this.host.multiaddrs().find((m) => m.toString().startsWith('/ip4/127.0.0.1/tcp/'))
    if (a === undefined) throw new Error(`${this.id} has no loopback address`)
    return multiaddr(a.toString())
  }

  async propose (command: string): Promise<unknown> {
    return await this.driver.propose(new TextEncoder().encode(command))
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.ticker)
    this.driver.stop()
    await this.transport.stop()
    await this.host.stop()
    this.storage.close()
  }
}
