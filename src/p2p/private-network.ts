// libp2p's private-network protector (@libp2p/pnet) for a cluster key, with one repair: the
// protector hands its whole send queue to xsalsa20's WebAssembly in one call, and under a
// bulk transfer that queue outgrows the WebAssembly memory limit ("Maximum memory size
// exceeded"), which aborts the connection. Sending in bounded pieces keeps every call small.
import type { ConnectionProtector } from '@libp2p/interface'
import { preSharedKey } from '@libp2p/pnet'
import { PRIVATE_NETWORK_HANDSHAKE_MS } from './host-limits.js'

/** the most the protector encrypts in one call */
export const PRIVATE_NETWORK_MAX_SEND_BYTES = 256 * 1024

export function privateNetwork (clusterKey: Uint8Array): () => ConnectionProtector {
  const create = preSharedKey({ psk: clusterKey, timeout: PRIVATE_NETWORK_HANDSHAKE_MS })
  return () => {
    const protector = create()
    return {
      async protect (connection, options) {
        const boxed = await protector.protect(connection, options)
        ;(boxed as { maxMessageSize?: number }).maxMessageSize = PRIVATE_NETWORK_MAX_SEND_BYTES
        return boxed
      }
    }
  }
}
