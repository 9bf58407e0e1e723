// What the transport did, for status output and for tests that check a message was dropped
// for the right reason. Plain counters, only ever incremented.

export interface TransportCounters {
  /** messages written to a stream */
  sent: number
  /** messages delivered to onMessage */
  received: number
  /** dropped because a peer's queue was full, a newer snapshot replaced an older one, or a large snapshot to the peer was still on its way */
  droppedOverflow: number
  /** dropped because the peer could not be reached or its stream failed mid-write */
  droppedUnreachable: number
  /** dropped because resolvePeer did not know the node */
  droppedUnresolved: number
  /** outbound messages over maxMessageBytes, never sent */
  droppedOversize: number
  /** inbound messages dropped: `from` is not the sending peer, or `to` is not us */
  droppedInvalid: number
  /** inbound streams reset: malformed or oversize message, a local-only message type, or idle */
  inboundStreamsReset: number
  /**
   * inbound streams reset on arrival, before a byte was read, because no slot was free:
   * ordinary streams past MAX_INBOUND_STREAMS_PER_PEER from the peer or maxInboundStreams
   * from all peers, a snapshot stream while another snapshot is being read. Streams that
   * libp2p itself resets past its per-connection limit never reach us and are not counted.
   */
  inboundStreamsRefused: number
  /** outbound streams opened */
  streamsOpened: number
  /** failed opens and writes (each also reported through onUnreachable) */
  failures: number
}

export function newCounters (): TransportCounters {
  return {
    sent: 0,
    received: 0,
    droppedOverflow: 0,
    droppedUnreachable: 0,
    droppedUnresolved: 0,
    droppedOversize: 0,
    droppedInvalid: 0,
    inboundStreamsReset: 0,
    inboundStreamsRefused: 0,
    streamsOpened: 0,
    failures: 0
  }
}
