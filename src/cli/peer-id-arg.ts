// A peer id typed on the command line. Checked here, before any request, so a typo is a usage
// error naming the argument rather than a daemon answer about an unknown peer.
import { JadfsError } from '../errors.js'

/** the base58 forms libp2p prints: Ed25519 identity multihashes (12D3Koo…) and sha2-256 ones (Qm…) */
const PEER_ID_PREFIXES = ['12D3Koo', 'Qm']

export async function parsePeerIdArg (text: string): Promise<string> {
  const hint = 'expected a libp2p peer id like 12D3KooW… (see `jadfs id` or `jadfs voters`)'
  if (!PEER_ID_PREFIXES.some((prefix) => text.startsWith(prefix))) {
    throw new JadfsError('INVALID_ARGUMENT', `${JSON.stringify(text)} is not a peer id: ${hint}`)
  }
  // loaded here: with its curves it would add a tenth of a second to every command's start
  const { peerIdFromString } = await import('@libp2p/peer-id')
  try {
    return peerIdFromString(text).toString()
  } catch (err) {
    throw new JadfsError('INVALID_ARGUMENT', `${JSON.stringify(text)} is not a peer id (${(err as Error).message.toLowerCase()}): ${hint}`, { cause: err })
  }
}

/** the last characters of a peer id, enough to tell the peers of one cluster apart in a table */
export function shortPeerId (peerId: string, chars = 8): string {
  return peerId.length <= chars ? peerId : `…${peerId.slice(-chars)}`
}
