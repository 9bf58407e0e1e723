// Opening the stream of an outbound transfer, under the transfer's idle and total deadlines.
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RequestHost } from '../request.js'
import { toJadfsError } from '../stream-errors.js'
import { abortReason } from '../../../util/race-signal.js'
import { MAX_OUTBOUND_STREAMS } from './constants.js'
import type { TransferClock, TransferStream } from './transfer-stream.js'

export async function openTransfer (host: RequestHost, peer: PeerId | Multiaddr, protocol: string, clock: TransferClock): Promise<TransferStream> {
  const stream = await clock.step(async (signal) => {
    try {
      return await host.dialProtocol(peer, protocol, { signal, maxOutboundStreams: MAX_OUTBOUND_STREAMS })
    } catch (err) {
      // A dial cut short by a deadline or the caller reports that, not libp2p's AbortError.
      throw signal.aborted ? abortReason(signal) : toJadfsError(err, 'open', clock.context)
    }
  })
  return clock.attach(stream)
}
