// Gauges of a cluster peer, read from its cluster view when Prometheus scrapes (like the status
// gauges): who leads, in which term, how many voters and live peers, how much replication is
// owed, and what other peers make it keep in the DHT. What an operator alerts on: no leader,
// dead peers, a debt that does not shrink, a DHT flood.
import { Gauge, type Registry } from 'prom-client'
import type { ClusterView, PeerState } from '../api/cluster-view.js'
import { perScrape } from './per-scrape.js'

export interface ClusterGaugeSources {
  view: () => ClusterView
  /** provider records kept from other peers, and those refused at the limits since start */
  dhtProviders: () => { readonly records: number, readonly selfRecords: number, readonly refused: number }
}

const PEER_STATES: readonly PeerState[] = ['alive', 'suspect', 'dead']

export function registerClusterGauges (registry: Registry, sources: ClusterGaugeSources): void {
  // the view walks the peer table and the replication queue: built once per scrape
  const view = perScrape(sources.view)
  const gauge = (name: string, help: string, read: (v: ClusterView) => number): void => {
    new Gauge({ name, help, registers: [registry], async collect () { this.set(read(await view())) } })
  }
  gauge('jadfs_raft_term', 'Raft term this peer is in', (v) => v.term)
  gauge('jadfs_raft_is_leader', '1 when this peer is the Raft leader', (v) => v.leader === v.peerId ? 1 : 0)
  gauge('jadfs_raft_has_leader', '1 when this peer knows a Raft leader (writes can commit)', (v) => v.leader === null ? 0 : 1)
  gauge('jadfs_raft_commit_index', 'Raft commit index as this peer knows it', (v) => v.commitIndex)
  gauge('jadfs_cluster_voters', 'Voters in the Raft configuration', (v) => v.voters.length)
  gauge('jadfs_cluster_target_voters', 'Voters the cluster aims for (--voters)', (v) => v.targetVoters)
  gauge('jadfs_cluster_learners', 'Learners in the Raft configuration', (v) => v.learners.length)
  new Gauge({
    name: 'jadfs_cluster_peers',
    help: 'Other peers in this peer\'s table, by state (heartbeats on gossip)',
    labelNames: ['state'],
    registers: [registry],
    async collect () {
      const { peers } = await view()
      for (const state of PEER_STATES) this.set({ state }, peers.filter((p) => p.state === state).length)
    }
  })
  gauge('jadfs_replication_queued_chunks', 'Chunks this peer still owes copies of (replication debt)', (v) => v.replication.queuedChunks)
  gauge('jadfs_replication_missing_copies', 'Copies this peer still owes in all', (v) => v.replication.missingCopies)
  new Gauge({ name: 'jadfs_dht_provider_records', help: 'DHT provider records kept for other peers', registers: [registry], collect () { this.set(sources.dhtProviders().records) } })
  new Gauge({ name: 'jadfs_dht_own_provider_records', help: 'Chunks this peer announces in the DHT (one record each; withdrawn when the chunk goes)', registers: [registry], collect () { this.set(sources.dhtProviders().selfRecords) } })
  new Gauge({ name: 'jadfs_dht_provider_records_refused', help: 'DHT provider records refused at the limits since start', registers: [registry], collect () { this.set(sources.dhtProviders().refused) } })
}
