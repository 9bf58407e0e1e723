// Typed publish/subscribe for our two gossip topics. Validation runs as a gossipsub topic
// validator, so a malformed or spoofed message is neither delivered here nor forwarded to
// other peers. Heartbeats carry a per-process sequence and start time for ordering.
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { assert } from '../../util/assert.js'
import type { P2pLogger } from '../logger.js'
import { ChunkEvent, ChunkEventKind } from './chunk-event.js'
import { Heartbeat } from './heartbeat.js'
import { GOSSIP_TOPICS, MAX_CIDS_PER_CHUNK_EVENT } from './topics.js'
import { validateChunkEvent, validateHeartbeat } from './validate.js'
import type { ReceivedChunkEvent, ReceivedHeartbeat, Validated } from './validate.js'

/** What the node reports about itself; the gossip layer adds identity, sequence and times. */
export type HeartbeatStats = Omit<Heartbeat, 'peerId' | 'sequence' | 'sentAtMs' | 'startedAtMs'>

export interface ClusterGossipComponents {
  readonly pubsub: Pick<GossipSub, 'subscribe' | 'unsubscribe' | 'publish' | 'topicValidators' | 'addEventListener' | 'removeEventListener'>
  readonly peerId: PeerId
  readonly logger: P2pLogger
  /** Wall-clock milliseconds; injected so tests control it. */
  readonly nowMs: () => number
}

export type Listener<T> = (value: T) => void

export class ClusterGossip {
  private readonly startedAtMs: number
  private sequence = 0
  private readonly heartbeatListeners = new Set<Listener<ReceivedHeartbeat>>()
  private readonly chunkEventListeners = new Set<Listener<ReceivedChunkEvent>>()
  private started = false

  constructor (private readonly components: ClusterGossipComponents) {
    this.startedAtMs = components.nowMs()
  }

  start (): void {
    assert(!this.started, 'ClusterGossip started twice')
    this.started = true
    const { pubsub } = this.components
    pubsub.topicValidators.set(GOSSIP_TOPICS.heartbeat, (_peer, msg) => this.verdict(msg, validateHeartbeat))
    pubsub.topicValidators.set(GOSSIP_TOPICS.chunkEvents, (_peer, msg) => this.verdict(msg, validateChunkEvent))
    pubsub.addEventListener('message', this.onMessage)
    pubsub.subscribe(GOSSIP_TOPICS.heartbeat)
    pubsub.subscribe(GOSSIP_TOPICS.chunkEvents)
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    const { pubsub } = this.components
    pubsub.removeEventListener('message', this.onMessage)
    for (const topic of Object.values(GOSSIP_TOPICS)) {
      pubsub.topicValidators.delete(topic)
      try {
        pubsub.unsubscribe(topic)
      } catch {
        // gossipsub throws once the host has stopped; there is nothing left to leave then.
      }
    }
  }

  onHeartbeat (listener: Listener<ReceivedHeartbeat>): () => void {
    this.heartbeatListeners.add(listener)
    return () => { this.heartbeatListeners.delete(listener) }
  }

  onChunkEvent (listener: Listener<ReceivedChunkEvent>): () => void {
    this.chunkEventListeners.add(listener)
    return () => { this.chunkEventListeners.delete(listener) }
  }

  /** Publishes a heartbeat; returns how many peers it was sent to (0 is not an error). */
  async publishHeartbeat (stats: HeartbeatStats): Promise<number> {
    this.sequence++
    const data = Heartbeat.encode({
      ...stats,
      peerId: this.components.peerId.toMultihash().bytes,
      sequence: this.sequence,
      sentAtMs: this.components.nowMs(),
      startedAtMs: this.startedAtMs
    })
    // Validate our own message with the receivers' rules, so a bad stat fails loudly here.
    const check = validateHeartbeat(data, this.components.peerId)
    assert(check.ok, 'our own heartbeat does not validate', check)
    const result = await this.components.pubsub.publish(GOSSIP_TOPICS.heartbeat, data)
    return result.recipients.length
  }

  /** Publishes chunk events, split into messages of at most MAX_CIDS_PER_CHUNK_EVENT ids. */
  async publishChunkEvent (kind: 'stored' | 'deleted', cids: readonly CID[]): Promise<void> {
    for (let i = 0; i < cids.length; i += MAX_CIDS_PER_CHUNK_EVENT) {
      const data = ChunkEvent.encode({
        kind: kind === 'stored' ? ChunkEventKind.CHUNK_EVENT_KIND_STORED : ChunkEventKind.CHUNK_EVENT_KIND_DELETED,
        cids: cids.slice(i, i + MAX_CIDS_PER_CHUNK_EVENT).map((c) => c.bytes as Uint8Array<ArrayBuffer>),
        sentAtMs: this.components.nowMs()
      })
      const check = validateChunkEvent(data, this.components.peerId)
      assert(check.ok, 'our own chunk event does not validate', check)
      await this.components.pubsub.publish(GOSSIP_TOPICS.chunkEvents, data)
    }
  }

  private verdict<T> (msg: Message, validate: (data: Uint8Array, from: PeerId) => Validated<T>): TopicValidatorResult {
    // Unsigned messages have no sender we could check a claim against.
    if (msg.type !== 'signed') return TopicValidatorResult.Reject
    const result = validate(msg.data, msg.from)
    if (result.ok) return TopicValidatorResult.Accept
    this.components.logger.debug({ topic: msg.topic, from: msg.from.toString(), reason: result.reason }, 'dropped a gossip message')
    return TopicValidatorResult.Reject
  }

  // Messages reaching this listener passed the topic validator above.
  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail
    if (msg.type !== 'signed') return
    if (msg.topic === GOSSIP_TOPICS.heartbeat) {
      const result = validateHeartbeat(msg.data, msg.from)
      if (result.ok) for (const l of this.heartbeatListeners) l(result.value)
    } else if (msg.topic === GOSSIP_TOPICS.chunkEvents) {
      const result = validateChunkEvent(msg.data, msg.from)
      if (result.ok) for (const l of this.chunkEventListeners) l(result.value)
    }
  }
}
