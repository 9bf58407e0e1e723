// Knowing where the other members are: the addresses a conf change carries (the leader adds a
// learner with the addresses it reached it on) go into libp2p's peer store, and the members'
// addresses are saved to peers.json now and then and at stop, for the next start.
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log/logger.js'
import type { JadfsHost } from '../p2p/index.js'
import type { ConfChange, ConfState } from '../raft/types.js'
import { writeMemberBook } from './member-address-book.js'

/** addresses kept from one conf change's context */
const MAX_CONTEXT_ADDRS = 16

/** the Raft log's onConfChange: logs the change and records the member's addresses */
export function confChangeRecorder (host: JadfsHost, selfId: string, logger: Logger): (change: ConfChange, conf: ConfState) => void {
  return (change, conf) => {
    logger.info({ change: change.type, peerId: change.nodeId, voters: conf.voters, learners: conf.learners }, 'cluster membership changed')
    if (change.context === undefined || change.nodeId === selfId) return
    try {
      const { addrs } = JSON.parse(new TextDecoder().decode(change.context)) as { addrs?: unknown }
      if (!Array.isArray(addrs)) return
      const multiaddrs = addrs.filter((a): a is string => typeof a === 'string').slice(0, MAX_CONTEXT_ADDRS)
      host.libp2p.peerStore.merge(peerIdFromString(change.nodeId), { multiaddrs: multiaddrs.map((a) => multiaddr(a)) })
        .catch((err: Error) => { logger.debug({ err: err.message }, 'could not record a member\'s addresses') })
    } catch {
      // a context from another version: the DHT still finds the peer
    }
  }
}

/** saves the current members' known addresses to peers.json when they changed */
export function memberBookSaver (host: JadfsHost, members: () => ConfState, dataDir: string, selfId: string, logger: Logger): () => Promise<void> {
  let lastSavedBook = ''
  return async () => {
    const { voters, learners } = members()
    const book: Record<string, string[]> = {}
    for (const peerId of [...voters, ...learners].sort()) {
      if (peerId === selfId) continue
      const addrs = await host.libp2p.peerStore.get(peerIdFromString(peerId)).then((p) => p.addresses.map((a) => a.multiaddr.toString()), () => [])
      if (addrs.length > 0) book[peerId] = addrs.sort()
    }
    const text = JSON.stringify(book)
    if (text === lastSavedBook || Object.keys(book).length === 0) return
    try {
      await writeMemberBook(dataDir, book)
      lastSavedBook = text
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not save the members\' addresses')
    }
  }
}
