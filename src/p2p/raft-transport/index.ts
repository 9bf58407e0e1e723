// Raft messages between peers over /jadfs/raft/1.0.0: a RaftTransport for the Raft driver.
// Each message is one length-prefixed protobuf frame (raft.proto); each peer we talk to gets
// one long-lived outbound stream fed by a bounded queue (see peer-sender.ts); inbound streams
// are validated before the driver sees anything (see inbound.ts).
//
// A snapshot travels whole inside one MsgSnap; one larger than maxMessageBytes goes alone on
// a stream of /jadfs/raft/1.0.0/snapshot, up to maxSnapshotBytes (see snapshot-sender.ts).
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RaftTransport } from '../../raft/api.js'
import type { Message, NodeId } from '../../raft/types.js'
import type { ProtocolHost } from '../host.js'
import type { TransportCounters } from './counters.js'
import { Libp2pRaftTransport as Transport } from './raft-transport.js'

export { RAFT_PROTOCOL_ID, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_SNAPSHOT_BYTES, DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER } from './constants.js'
export { encodeRaftMessage, decodeRaftMessage, raftMessageCodec, toWire, fromWire, isLocalMessageType, largestAppendBytes, MAX_APPEND_HEADER_BYTES } from './wire-message.js'
export type { TransportCounters } from './counters.js'

export type RaftTransportHost = Pick<ProtocolHost, 'peerId' | 'signal' | 'logger' | 'dialProtocol' | 'handle' | 'unhandle'>

export interface Libp2pRaftTransportInit {
  readonly host: RaftTransportHost
  /** @default '/jadfs/raft/1.0.0' */
  readonly protocol?: string
  /**
   * Where to reach a node. Node ids are peer id strings; a multiaddr must end in
   * /p2p/<that id> (Noise then proves who answered). undefined drops the messages.
   * @default the peer id parsed from the node id (addresses from the peer store)
   */
  readonly resolvePeer?: (nodeId: NodeId) => PeerId | Multiaddr | undefined
  /** a valid message from a peer, in the order that peer sent it (usually driver.receive) */
  readonly onMessage: (message: Message) => void
  /**
   * A peer could not be reached, or its stream failed with messages lost; the leader should
   * stop pipelining to it (RaftCore.reportUnreachable; the RaftDriver interface does not pass
   * that through yet). Called once per failed open or write.
   */
  readonly onUnreachable?: (nodeId: NodeId) => void
  /** largest encoded message sent or accepted @default 64 MiB */
  readonly maxMessageBytes?: number
  /** a larger MsgSnap goes alone on its own stream, up to this size @default 256 MiB */
  readonly maxSnapshotBytes?: number
  /** sending one such snapshot, open to close @default 120000 */
  readonly snapshotTimeoutMs?: number
  /** @default 1024 */
  readonly maxQueuedMessagesPerPeer?: number
  /** @default 2 * maxMessageBytes */
  readonly maxQueuedBytesPerPeer?: number
  /** dial and protocol negotiation @default 5000 */
  readonly openTimeoutMs?: number
  /** one message write @default 30000 */
  readonly writeTimeoutMs?: number
  /** first reconnect delay, doubled per failure @default 50 */
  readonly reconnectBackoffMs?: number
  /** @default 2000 */
  readonly maxReconnectBackoffMs?: number
  /** close an outbound stream after this long without messages @default 30000 */
  readonly outboundIdleCloseMs?: number
  /** reset an inbound stream after this long without messages @default 60000 */
  readonly inboundIdleTimeoutMs?: number
  /** ordinary inbound streams open at once, from all peers (besides: 2 per connection, 4 per peer) @default 128 */
  readonly maxInboundStreams?: number
  /** the clock of the once-a-minute warning about refused inbound streams @default Date.now */
  readonly nowMs?: () => number
}

export interface Libp2pRaftTransport extends RaftTransport {
  /** registers the protocol handler; messages can be sent before, they are only received after */
  start: () => Promise<void>
  /** unregisters the handler, drops queued messages and resets every stream */
  stop: () => Promise<void>
  counters: () => Readonly<TransportCounters>
}

export function createLibp2pRaftTransport (init: Libp2pRaftTransportInit): Libp2pRaftTransport {
  return new Transport(init)
}
