// What this peer says in the DHT about the chunks it holds: a provider record per chunk, and
// taking it back when the chunk goes. kad-dht keeps our own records in its datastore and its
// reprovider re-announces them about once a day until told otherwise, so a chunk deleted here
// would otherwise be announced (and its record kept) for as long as the daemon runs.
import type { KadDHT } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import type { P2pLogger } from '../../p2p/logger.js'

export interface DhtAnnouncements {
  /** announces that this peer holds the chunk (the query runs to its end or the signal) */
  provide: (cid: string, signal: AbortSignal) => Promise<void>
  /** stops announcing the chunk; a failure is logged, the record then expires with time */
  withdraw: (cid: string) => Promise<void>
}

/** withdrawing touches only the local datastore; this only guards against a stuck store */
export const WITHDRAW_TIMEOUT_MS = 10_000

export function dhtAnnouncements (
  dht: Pick<KadDHT, 'provide' | 'cancelReprovide'>,
  logger: Pick<P2pLogger, 'debug'>,
  withdrawTimeoutMs = WITHDRAW_TIMEOUT_MS
): DhtAnnouncements {
  return {
    provide: async (cid, signal) => {
      for await (const _event of dht.provide(CID.parse(cid), { signal })) { /* run the query to its end */ }
    },
    withdraw: async (cid) => {
      try {
        await dht.cancelReprovide(CID.parse(cid), { signal: AbortSignal.timeout(withdrawTimeoutMs) })
      } catch (err) {
        logger.debug({ cid, err }, 'could not withdraw the provider record of a deleted chunk; it expires on its own')
      }
    }
  }
}
