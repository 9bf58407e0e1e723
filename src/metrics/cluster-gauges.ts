// Gauges of a cluster peer, read from its cluster view when Prometheus scrapes (like the status
// gauges): who leads, in which term, how many voters and live peers, how much replication is
// owed, and what other peers make it keep in the DHT. What an operator alerts on: no leader,
// dead peers, a debt that does not shrink, a DHT flood.
import { Gauge, type Registry } from 'prom-client'
import type { ClusterView, PeerState } from '../api/cluster-view.js'

export interface ClusterGaugeSources {
  view: () => ClusterView
  /** provider records kept from other peers, and those refused at the limits since start */
  dhtProviders: () => { readonly records: number, readonly refused: number }
}

const PEER_STATES: readonly PeerState[] = ['alive', 'suspect', 'dead']

export function registerClusterGauges (registry: Registry, sources: ClusterGaugeSources): void {
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect () { this.set(read()) } })
  }
  gauge('jadfs_raft_term', 'Raft term this peer is in', () => sources.view().term)
  gauge('jadfs_raft_is_leader', '1 when this peer is the Raft leader', () => {
    const view = sources.view()
    return view.leader === view.peerId ? 1 : 0
  })
  gauge('jadfs_raft_has_leader', '1 when this peer knows a Raft leader (writes can commit)', () => sources.view().leader === null ? 0 : 1)
  gauge('jadfs_raft_commit_index', 'Raft commit index as this peer knows it', () => sources.view().commitIndex)
  gauge('jadfs_cluster_voters', 'Voters in the Raft configuration', () => sources.view().voters.length)
  gauge('jadfs_cluster_target_voters', 'Voters the cluster aims for (--voters)', () => sources.view().targetVoters)
  gauge('jadfs_cluster_learners', 'Learners in the Raft configuration', () => sources.view().learners.length)
  new Gauge({
    name: 'jadfs_cluster_peers',
    help: 'Other peers in this peer\'s table, by state (heartbeats on gossip)',
    labelNames: ['state'],
    registers: [registry],
    collect () {
      const peers = sources.view().peers
      for (const state of PEER_STATES) this.set({ state }, peers.filter((p) => p.state === state).length)
    }
  })
  gauge('jadfs_replication_queued_chunks', 'Chunks this peer still owes copies of (replication debt)', () => sources.view().replication.queuedChunks)
  gauge('jadfs_replication_missing_copies', 'Copies this peer still owes in all', () => sources.view().replication.missingCopies)
  gauge('jadfs_dht_provider_records', 'DHT provider records kept for other peers', () => sources.dhtProviders().records)
  gauge('jadfs_dht_provider_records_refused', 'DHT provider records refused at the limits since start', () => sources.dhtProviders().refused)
}
