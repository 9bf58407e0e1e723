// The RaftTransport over libp2p: send() encodes and queues per peer and returns at once; a
// PeerSender per peer delivers; serveInbound validates and delivers what arrives.
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { assert } from '../../util/assert.js'
import { ThrottledWarning } from '../../util/throttled-warning.js'
import { TransferSlots } from '../protocols/transfer-slots.js'
import type { Message, NodeId } from '../../raft/types.js'
import {
  DEFAULT_INBOUND_IDLE_TIMEOUT_MS, DEFAULT_MAX_INBOUND_STREAMS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
  DEFAULT_MAX_RECONNECT_BACKOFF_MS, DEFAULT_MAX_SNAPSHOT_BYTES, DEFAULT_OPEN_TIMEOUT_MS, DEFAULT_OUTBOUND_IDLE_CLOSE_MS,
  DEFAULT_RECONNECT_BACKOFF_MS, DEFAULT_SNAPSHOT_TIMEOUT_MS, DEFAULT_WRITE_TIMEOUT_MS, MAX_INBOUND_STREAMS_PER_CONNECTION,
  MAX_INBOUND_STREAMS_PER_PEER, MAX_OUTBOUND_STREAMS_PER_CONNECTION, QUEUED_BYTES_PER_MAX_MESSAGE, RAFT_PROTOCOL_ID,
  REFUSAL_LOG_INTERVAL_MS, SNAPSHOT_PROTOCOL_SUFFIX
} from './constants.js'
import { newCounters } from './counters.js'
import type { TransportCounters } from './counters.js'
import { serveInbound } from './inbound.js'
import type { InboundOptions } from './inbound.js'
import type { Libp2pRaftTransportInit, Libp2pRaftTransport as Api, RaftTransportHost } from './index.js'
import { PeerSender } from './peer-sender.js'
import { SnapshotSender } from './snapshot-sender.js'
import type { PeerSenderOptions } from './peer-sender.js'
import { encodeRaftMessage } from './wire-message.js'

export class Libp2pRaftTransport implements Api {
  private readonly host: RaftTransportHost
  private readonly protocol: string
  private readonly resolvePeer: (nodeId: NodeId) => PeerId | Multiaddr | undefined
  private readonly onUnreachable: (nodeId: NodeId) => void
  private readonly maxMessageBytes: number
  private readonly senderOptions: PeerSenderOptions
  private readonly inboundOptions: InboundOptions
  /** a peer opening streams in a loop must not flood the log */
  private readonly refusalWarning: ThrottledWarning
  private readonly maxSnapshotBytes: number
  private readonly snapshotSender: SnapshotSender
  private readonly snapshotInboundOptions: InboundOptions
  /** ordinary inbound streams being served: libp2p bounds them per connection only */
  private readonly streamSlots: TransferSlots
  /** what one large snapshot may make us buffer is held for one sender at a time */
  private readonly snapshotSlots = new TransferSlots(1, 1)
  private readonly senders = new Map<NodeId, PeerSender>()
  private readonly stats: TransportCounters = newCounters()
  private readonly stopping = new AbortController()
  private state: 'new' | 'started' | 'stopped' = 'new'

  constructor (init: Libp2pRaftTransportInit) {
    this.host = init.host
    this.protocol = init.protocol ?? RAFT_PROTOCOL_ID
    this.resolvePeer = init.resolvePeer ?? defaultResolve
    this.onUnreachable = init.onUnreachable ?? (() => {})
    this.maxMessageBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const maxQueuedBytes = init.maxQueuedBytesPerPeer ?? QUEUED_BYTES_PER_MAX_MESSAGE * this.maxMessageBytes
    assert(this.protocol.startsWith('/jadfs/'), 'our protocol ids live under /jadfs/', { protocol: this.protocol })
    assert(Number.isSafeInteger(this.maxMessageBytes) && this.maxMessageBytes > 0, 'maxMessageBytes must be a positive integer', { maxMessageBytes: this.maxMessageBytes })
    assert(maxQueuedBytes >= this.maxMessageBytes, 'a peer queue must hold at least one message of maxMessageBytes', { maxQueuedBytes, maxMessageBytes: this.maxMessageBytes })
    this.senderOptions = {
      host: this.host,
      protocol: this.protocol,
      maxMessageBytes: this.maxMessageBytes,
      maxQueuedMessages: init.maxQueuedMessagesPerPeer ?? DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
      maxQueuedBytes,
      openTimeoutMs: init.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
      writeTimeoutMs: init.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
      reconnectBackoffMs: init.reconnectBackoffMs ?? DEFAULT_RECONNECT_BACKOFF_MS,
      maxReconnectBackoffMs: init.maxReconnectBackoffMs ?? DEFAULT_MAX_RECONNECT_BACKOFF_MS,
      outboundIdleCloseMs: init.outboundIdleCloseMs ?? DEFAULT_OUTBOUND_IDLE_CLOSE_MS,
      counters: this.stats,
      onUnreachable: (nodeId) => { this.onUnreachable(nodeId) },
      signal: this.stopping.signal
    }
    this.inboundOptions = {
      host: this.host,
      protocol: this.protocol,
      maxMessageBytes: this.maxMessageBytes,
      inboundIdleTimeoutMs: init.inboundIdleTimeoutMs ?? DEFAULT_INBOUND_IDLE_TIMEOUT_MS,
      counters: this.stats,
      onMessage: init.onMessage,
      signal: this.stopping.signal
    }
    this.refusalWarning = new ThrottledWarning(REFUSAL_LOG_INTERVAL_MS, init.nowMs ?? Date.now)
    const maxInboundStreams = init.maxInboundStreams ?? DEFAULT_MAX_INBOUND_STREAMS
    assert(Number.isSafeInteger(maxInboundStreams) && maxInboundStreams > 0, 'maxInboundStreams must be a positive integer', { maxInboundStreams })
    // a total below one peer's share (tests) caps the share too
    this.streamSlots = new TransferSlots(Math.min(MAX_INBOUND_STREAMS_PER_PEER, maxInboundStreams), maxInboundStreams)
    this.maxSnapshotBytes = init.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES
    assert(Number.isSafeInteger(this.maxSnapshotBytes) && this.maxSnapshotBytes >= this.maxMessageBytes, 'maxSnapshotBytes must be at least maxMessageBytes', { maxSnapshotBytes: this.maxSnapshotBytes, maxMessageBytes: this.maxMessageBytes })
    const snapshotProtocol = this.protocol + SNAPSHOT_PROTOCOL_SUFFIX
    const snapshotTimeoutMs = init.snapshotTimeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS
    this.snapshotSender = new SnapshotSender({
      host: this.host,
      protocol: snapshotProtocol,
      maxSnapshotBytes: this.maxSnapshotBytes,
      timeoutMs: snapshotTimeoutMs,
      counters: this.stats,
      onUnreachable: (nodeId) => { this.onUnreachable(nodeId) },
      signal: this.stopping.signal
    })
    // one snapshot per stream, read within the sender's whole-transfer bound
    this.snapshotInboundOptions = { ...this.inboundOptions, protocol: snapshotProtocol, maxMessageBytes: this.maxSnapshotBytes, inboundIdleTimeoutMs: snapshotTimeoutMs, onlyOne: 'MsgSnap' }
  }

  async start (): Promise<void> {
    assert(this.state === 'new', 'a Raft transport starts once', { state: this.state })
    this.state = 'started'
    await this.host.handle(this.protocol, (stream: Stream, connection: Connection) => {
      this.admit(this.streamSlots, this.inboundOptions, stream, connection)
    }, {
      maxInboundStreams: MAX_INBOUND_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS_PER_CONNECTION
    })
    await this.host.handle(this.snapshotInboundOptions.protocol, (stream: Stream, connection: Connection) => {
      this.admit(this.snapshotSlots, this.snapshotInboundOptions, stream, connection)
    }, { maxInboundStreams: 1, maxOutboundStreams: 1 })
  }

  /** Never blocks and never throws: what cannot be queued is dropped and counted (Raft retries). */
  send (messages: readonly Message[]): void {
    if (this.state === 'stopped') return
    for (const m of messages) {
      const sender = this.senderFor(m.to)
      if (sender === undefined) {
        this.stats.droppedUnresolved++
        continue
      }
      const bytes = encodeRaftMessage(m)
      if (bytes.byteLength > this.maxMessageBytes && m.type === 'MsgSnap' && bytes.byteLength <= this.maxSnapshotBytes) {
        this.snapshotSender.send(m.to, sender.target, bytes)
        continue
      }
      if (bytes.byteLength > this.maxMessageBytes) {
        this.stats.droppedOversize++
        const limit = m.type === 'MsgSnap' ? this.maxSnapshotBytes : this.maxMessageBytes
        this.host.logger.warn({ peer: m.to, type: m.type, bytes: bytes.byteLength, limit }, `Raft transport: a ${m.type} of ${bytes.byteLength} bytes is over the limit of ${limit} and was not sent`)
        continue
      }
      sender.enqueue({ bytes, snapshot: m.type === 'MsgSnap' })
    }
  }

  async stop (): Promise<void> {
    if (this.state === 'stopped') return
    const wasStarted = this.state === 'started'
    this.state = 'stopped'
    this.stopping.abort(new Error('the Raft transport stopped'))
    for (const sender of this.senders.values()) sender.stop()
    this.senders.clear()
    if (!wasStarted || this.host.signal.aborted) return
    try {
      await this.host.unhandle(this.protocol)
      await this.host.unhandle(this.snapshotInboundOptions.protocol)
    } catch (err) {
      this.host.logger.debug({ err: (err as Error).message }, 'Raft transport: unhandle failed')
    }
  }

  counters (): Readonly<TransportCounters> {
    return { ...this.stats }
  }

  // A stream without a slot is reset at once rather than held waiting: its sender sees the
  // write fail and retries after a backoff, and Raft resends whatever was lost.
  private admit (slots: TransferSlots, options: InboundOptions, stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer.toString()
    const release = slots.tryAcquire(peer)
    if (typeof release !== 'function') {
      this.stats.inboundStreamsRefused++
      const refused = this.refusalWarning.record()
      if (refused !== undefined) {
        this.host.logger.warn({ peer, protocol: options.protocol, reached: release, refusedSinceLastWarning: refused, refusedSoFar: this.stats.inboundStreamsRefused },
          `Raft transport: refused an inbound stream, ${release === 'peer-limit' ? 'its peer has' : 'all peers have'} as many open as we serve`)
      }
      stream.abort(new Error(`no slot for another inbound ${options.protocol} stream (${release})`))
      return
    }
    void serveInbound(options, stream, connection).finally(release)
  }

  // Resolved on every send so a peer that moved (restarted on a new port) is found again.
  private senderFor (nodeId: NodeId): PeerSender | undefined {
    let target: PeerId | Multiaddr | undefined
    try {
      target = this.resolvePeer(nodeId)
    } catch (err) {
      this.host.logger.debug({ peer: nodeId, err: (err as Error).message }, 'Raft transport: resolvePeer failed')
      target = undefined
    }
    if (target === undefined || !namesPeer(target, nodeId)) {
      if (target !== undefined) this.host.logger.warn({ peer: nodeId, target: target.toString() }, 'Raft transport: resolvePeer gave an address that does not name the node')
      return undefined
    }
    let sender = this.senders.get(nodeId)
    if (sender === undefined) {
      sender = new PeerSender(nodeId, target, this.senderOptions)
      this.senders.set(nodeId, sender)
    } else {
      sender.retarget(target)
    }
    return sender
  }
}

function defaultResolve (nodeId: NodeId): PeerId | undefined {
  try {
    return peerIdFromString(nodeId)
  } catch {
    return undefined
  }
}

// A target must be the node itself: a PeerId equal to it, or a multiaddr ending in its /p2p/.
function namesPeer (target: PeerId | Multiaddr, nodeId: NodeId): boolean {
  if ('getComponents' in target) return target.getComponents().some((c) => c.name === 'p2p' && c.value === nodeId)
  return target.toString() === nodeId
}
