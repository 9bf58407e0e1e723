// The namespace's Raft log on one peer: SQLite Raft storage, the driver around the pure core,
// the libp2p transport and a ticker. Writes are proposed here (the core forwards them to the
// leader) and answered once applied on this peer; linearizable reads wait for a ReadIndex
// barrier. Both retry while no leader is known and give up after a bounded wait with
// NO_QUORUM, so a cluster without a voter majority fails requests instead of hanging them.
// A write or read forwarded to a leader that dies is re-sent by the driver to the next one
// (applied once: raft/proposal-window.ts), so losing the leader delays it by an election.
import { randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { JadfsError, isJadfsError } from '../errors.js'
import type { NamespaceCommand } from '../namespace/commands.js'
import { encodeCommand } from '../namespace/commands.js'
import { namespaceRaftStateMachine } from '../namespace/raft-state-machine.js'
import type { ApplyResult, NamespaceStateMachine } from '../namespace/state-machine.js'
import type { Libp2pRaftTransport, RaftTransportHost } from '../p2p/raft-transport/index.js'
import { DEFAULT_MAX_MESSAGE_BYTES, createLibp2pRaftTransport, largestAppendBytes } from '../p2p/raft-transport/index.js'
import type { RaftDriver, RaftStatus, StateMachine } from '../raft/api.js'
import { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_SIZE_PER_MSG_BYTES } from '../raft/core/index.js'
import { createRaftDriver } from '../raft/driver/index.js'
import { assert } from '../util/assert.js'
import { SqliteRaftStorage } from '../raft/storage/sqlite-storage.js'
import type { ConfChange, ConfState, NodeId } from '../raft/types.js'
import { createPrng } from '../util/prng.js'

export const RAFT_TICK_MS = 100
/** election timeout is 10..20 ticks: 1 to 2 s */
const ELECTION_TICKS = 10
const REQUEST_TIMEOUT_TICKS = 100
/** between retries while no leader is known */
const RETRY_DELAY_MS = 100
export const DEFAULT_WRITE_WAIT_MS = 10_000

/**
 * The message limits of the core and the transport, set together: the largest MsgApp the core
 * can build must fit the transport's maxMessageBytes, or it is never sent and the follower
 * never catches up (checked below, and tested in test/p2p/raft-transport/append-size.test.ts).
 */
export const RAFT_MESSAGE_LIMITS = {
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxSizePerMsgBytes: DEFAULT_MAX_SIZE_PER_MSG_BYTES,
  maxEntryBytes: DEFAULT_MAX_ENTRY_BYTES
} as const

export interface RaftNamespaceLogInit {
  readonly dataDir: string
  readonly selfId: NodeId
  readonly host: RaftTransportHost
  readonly namespace: NamespaceStateMachine
  /** true: a new data dir starts a one-voter cluster of this peer; false: wait to be added */
  readonly bootstrap: boolean
  /** how long a write or a linearizable read may wait for a leader with a majority */
  readonly waitMs?: number
  readonly snapshotEntries?: number
  readonly onConfChange?: (change: ConfChange, confState: ConfState) => void
  readonly logger: { info: (obj: object, msg?: string) => void, warn: (obj: object, msg?: string) => void }
}

export class RaftNamespaceLog {
  readonly driver: RaftDriver
  private readonly storage: SqliteRaftStorage
  private readonly transport: Libp2pRaftTransport
  private readonly waitMs: number
  private ticker: ReturnType<typeof setInterval> | undefined
  private readonly stopping = new AbortController()

  private constructor (private readonly init: RaftNamespaceLogInit) {
    this.waitMs = init.waitMs ?? DEFAULT_WRITE_WAIT_MS
    const path = join(init.dataDir, 'raft.sqlite')
    const fresh = !existsSync(path)
    if (fresh && init.namespace.appliedIndex > 0) {
      throw new JadfsError('INVALID_CONFIG', `${init.dataDir} holds a namespace without a Raft log (applied index ${init.namespace.appliedIndex}); it cannot join a cluster. Start with an empty --data-dir.`)
    }
    this.storage = SqliteRaftStorage.open(path, init.bootstrap ? { initialConfState: { voters: [init.selfId], learners: [] } } : {})
    if (fresh) init.logger.info({ bootstrap: init.bootstrap }, init.bootstrap ? 'new cluster: this peer is its first voter' : 'new member: waiting for the leader to add this peer')
    const limits = RAFT_MESSAGE_LIMITS
    assert(largestAppendBytes(limits) <= limits.maxMessageBytes, 'the largest MsgApp must fit a transport message', { ...limits, largestAppendBytes: largestAppendBytes(limits) })
    // the transport delivers to the driver only after start(), when the driver exists
    this.transport = createLibp2pRaftTransport({
      host: init.host,
      maxMessageBytes: limits.maxMessageBytes,
      onMessage: (m) => { this.driver.receive(m) },
      onUnreachable: (id) => { this.driver.reportUnreachable(id) }
    })
    this.driver = createRaftDriver({
      id: init.selfId,
      storage: this.storage,
      transport: this.transport,
      stateMachine: loggingRestores(namespaceRaftStateMachine(init.namespace), init.logger),
      rng: createPrng(randomInt(0, 2 ** 47)),
      electionTick: ELECTION_TICKS,
      heartbeatTick: 1,
      preVote: true,
      checkQuorum: true,
      maxSizePerMsgBytes: limits.maxSizePerMsgBytes,
      maxEntryBytes: limits.maxEntryBytes,
      requestTimeoutTicks: REQUEST_TIMEOUT_TICKS,
      ...(init.snapshotEntries === undefined ? {} : { snapshotEntries: init.snapshotEntries }),
      // proposals and messages arriving in one turn of the event loop share one fsync
      scheduleReady: queueMicrotask,
      ...(init.onConfChange === undefined ? {} : { onConfChange: init.onConfChange })
    })
  }

  static async start (init: RaftNamespaceLogInit): Promise<RaftNamespaceLog> {
    const log = new RaftNamespaceLog(init)
    await log.transport.start()
    log.ticker = setInterval(() => { log.driver.tick() }, RAFT_TICK_MS)
    return log
  }

  status (): RaftStatus {
    return this.driver.status()
  }

  /** proposes a namespace command; resolves with its result once applied on this peer */
  async applyCommand (command: NamespaceCommand, signal?: AbortSignal): Promise<ApplyResult> {
    const payload = encodeCommand(command)
    try {
      return await this.withLeader('write', signal, async () => await this.driver.propose(payload) as ApplyResult)
    } catch (err) {
      // only the deadline's TIMEOUT; one after a snapshot already says what is known
      if (!isJadfsError(err, 'TIMEOUT') || err.details?.reason !== 'deadline') throw err
      throw new JadfsError('TIMEOUT', `the write was not confirmed within ${REQUEST_TIMEOUT_TICKS * RAFT_TICK_MS / 1000} s (no leader with a majority of voters committed it in time); ` +
        'it may or may not have been applied: check with stat before retrying', { cause: err })
    }
  }

  /** fails at once, before an upload is read, on a peer that no cluster has added yet */
  checkMember (): void {
    if (this.driver.status().confState.voters.length === 0) throw this.noQuorum('write', undefined)
  }

  async readBarrier (signal?: AbortSignal): Promise<void> {
    await this.withLeader('linearizable read', signal, async () => { await this.driver.readBarrier() })
  }

  async changeMembership (change: ConfChange): Promise<ConfState> {
    return await this.withLeader('membership change', undefined, async () => await this.driver.proposeConfChange(change))
  }

  async stop (): Promise<void> {
    this.stopping.abort()
    clearInterval(this.ticker)
    this.driver.stop()
    await this.transport.stop()
    this.storage.close()
  }

  // NOT_LEADER and PROPOSAL_DROPPED mean nothing was appended, so retrying cannot apply a
  // command twice; TIMEOUT (outcome unknown) is passed on as it is.
  private async withLeader<T> (what: string, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitMs
    for (;;) {
      try {
        return await attempt()
      } catch (err) {
        const retriable = isJadfsError(err, 'NOT_LEADER') || isJadfsError(err, 'PROPOSAL_DROPPED')
        if (!retriable) throw err
        if (Date.now() + RETRY_DELAY_MS > deadline) throw this.noQuorum(what, err)
      }
      const waiting = signal === undefined ? this.stopping.signal : AbortSignal.any([signal, this.stopping.signal])
      await sleep(RETRY_DELAY_MS, undefined, { signal: waiting }).catch(() => {})
      if (this.stopping.signal.aborted) throw new JadfsError('SHUTTING_DOWN', `the node is stopping; the ${what} was not made`)
      signal?.throwIfAborted()
    }
  }

  private noQuorum (what: string, cause: unknown): JadfsError {
    const { confState, leader } = this.driver.status()
    const voters = confState.voters
    if (voters.length === 0) {
      return new JadfsError('NO_QUORUM',
        `the ${what} could not be made: this peer has not been added to a cluster yet. ` +
        'A peer started with --join is added by the leader once it is reachable: check the --join address and that the peers can dial this one (--listen, --announce).',
        { cause, details: { voters: [], leader: null } })
    }
    const majority = Math.floor(voters.length / 2) + 1
    return new JadfsError('NO_QUORUM',
      `the ${what} could not be made within ${this.waitMs / 1000} s: ${leader === '' ? 'no Raft leader is known' : `the leader ${leader} is not reachable`}; ` +
      `writes and linearizable reads need ${majority} of the ${voters.length} voters (${voters.join(', ') || 'none known yet'}) to be up and connected. ` +
      'Reads with --stale (stale=1) still serve this peer\'s copy.',
      { cause, details: { voters, leader: leader === '' ? null : leader } })
  }
}

function loggingRestores (machine: StateMachine, logger: RaftNamespaceLogInit['logger']): StateMachine {
  return {
    ...machine,
    restore: (data, index) => {
      machine.restore(data, index)
      logger.info({ index, bytes: data.byteLength }, 'installed a namespace snapshot from the leader')
    }
  }
}
