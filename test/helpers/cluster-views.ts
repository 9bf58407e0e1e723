// Cluster views as GET /v1/cluster answers them (see src/api/cluster-view.ts), with real peer
// ids, for the CLI and harness tests.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { ClusterPeerView, ClusterView } from '../../src/api/cluster-view.js'

export async function newPeerIds (count: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

export function peerView (peerId: string, overrides: Partial<ClusterPeerView> = {}): ClusterPeerView {
  return {
    peerId,
    state: 'alive',
    apiUrl: 'http://127.0.0.1:5080',
    role: 'follower',
    term: 3,
    freeBytes: 10 * 1024 ** 3,
    usedBytes: 5 * 1024 ** 2,
    chunks: 2,
    version: '0.1.0',
    lastSeenMsAgo: 800,
    member: 'voter',
    ...overrides
  }
}

export function clusterView (overrides: Partial<ClusterView> & Pick<ClusterView, 'peerId' | 'voters' | 'learners' | 'peers'>): ClusterView {
  return {
    leader: overrides.voters[0] ?? null,
    term: 3,
    role: 'follower',
    commitIndex: 12,
    appliedIndex: 12,
    targetVoters: 3,
    replication: { queuedChunks: 0, missingCopies: 0 },
    ...overrides
  }
}
