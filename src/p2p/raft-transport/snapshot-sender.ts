// Snapshots too large for an ordinary Raft message (maxMessageBytes). Such a MsgSnap travels
// alone, on a stream of its own protocol (/jadfs/raft-snapshot/1.0.0) whose receiver accepts
// up to maxSnapshotBytes and holds at most one such snapshot at a time, so the ordinary
// streams and their queues keep their small bounds. At most one large snapshot is in flight
// to a peer; another one meanwhile is dropped (the leader sends a new one when it needs to).
// A failure is reported like an unreachable peer.
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NodeId } from '../../raft/types.js'
import { startDeadline } from '../protocols/deadline.js'
import { toJadfsError } from '../protocols/stream-errors.js'
import type { TransportCounters } from './counters.js'
import { abortStream, writeFrame } from './frame-writer.js'
import type { RaftTransportHost } from './index.js'

export interface SnapshotSenderOptions {
  readonly host: RaftTransportHost
  readonly protocol: string
  readonly maxSnapshotBytes: number
  /** the whole transfer: open, write and close */
  readonly timeoutMs: number
  readonly counters: TransportCounters
  readonly onUnreachable: (nodeId: NodeId) => void
  /** aborted when the transport stops */
  readonly signal: AbortSignal
}

export class SnapshotSender {
  private readonly inFlight = new Set<NodeId>()

  constructor (private readonly options: SnapshotSenderOptions) {}

  /** Never blocks and never throws. */
  send (nodeId: NodeId, target: PeerId | Multiaddr, bytes: Uint8Array): void {
    if (this.inFlight.has(nodeId)) {
      this.options.counters.droppedOverflow++
      return
    }
    this.inFlight.add(nodeId)
    void this.deliver(nodeId, target, bytes).finally(() => { this.inFlight.delete(nodeId) })
  }

  private async deliver (nodeId: NodeId, target: PeerId | Multiaddr, bytes: Uint8Array): Promise<void> {
    const { host, protocol } = this.options
    const context = `${protocol} to ${nodeId}`
    const deadline = startDeadline(this.options.timeoutMs, `sending a snapshot of ${bytes.byteLength} bytes to ${nodeId}`, [host.signal, this.options.signal])
    let stream
    try {
      stream = await host.dialProtocol(target, protocol, { signal: deadline.signal })
      this.options.counters.streamsOpened++
      await writeFrame(stream, bytes, this.options.maxSnapshotBytes, deadline.signal)
      await stream.close({ signal: deadline.signal })
      this.options.counters.sent++
      host.logger.info({ peer: nodeId, bytes: bytes.byteLength }, 'Raft transport: sent a large snapshot on its own stream')
    } catch (err) {
      const mapped = deadline.signal.aborted ? toJadfsError(deadline.signal.reason, 'exchange', context) : toJadfsError(err, 'exchange', context)
      if (stream !== undefined) abortStream(stream, mapped)
      if (this.options.signal.aborted) return
      this.options.counters.droppedUnreachable++
      this.options.counters.failures++
      host.logger.warn({ peer: nodeId, bytes: bytes.byteLength, err: mapped.message }, 'Raft transport: a large snapshot could not be sent')
      this.options.onUnreachable(nodeId)
    } finally {
      deadline.clear()
    }
  }
}
