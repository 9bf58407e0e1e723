// Checks the cluster gauges against a given cluster view: each gauge shows its field of the
// view (leader, term, members, peers by state, replication debt, DHT records), and one scrape
// builds the view once, not once per gauge; the next scrape builds it again (fresh values).
import { strict as assert } from 'node:assert'
import { Registry } from 'prom-client'
import type { ClusterPeerView, ClusterView } from '../../src/api/cluster-view.js'
import { registerClusterGauges } from '../../src/metrics/cluster-gauges.js'

const peer = (peerId: string, state: ClusterPeerView['state']): ClusterPeerView => ({
  peerId, state, apiUrl: null, role: 'follower', term: 4, freeBytes: 0, usedBytes: 0, chunks: 0, version: 'test', lastSeenMsAgo: null, member: 'voter'
})

function viewAt (term: number): ClusterView {
  return {
    peerId: 'a',
    leader: 'a',
    term,
    role: 'leader',
    commitIndex: 17,
    appliedIndex: 17,
    targetVoters: 3,
    voters: ['a', 'b', 'c'],
    learners: ['d'],
    peers: [peer('a', 'self'), peer('b', 'alive'), peer('c', 'dead'), peer('d', 'suspect'), peer('e', 'alive')],
    replication: { queuedChunks: 2, missingCopies: 5 }
  }
}

describe('cluster gauges', () => {
  it('show the cluster view, built once per scrape', async () => {
    const registry = new Registry()
    let builds = 0
    let term = 4
    registerClusterGauges(registry, { view: () => { builds++; return viewAt(term) }, dhtProviders: () => ({ records: 9, selfRecords: 4, refused: 1 }) })
    const text = await registry.metrics()
    assert.equal(builds, 1)
    const value = (name: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `))
      assert.ok(line !== undefined, name)
      return Number(line.slice(name.length + 1))
    }
    assert.deepEqual(
      ['jadfs_raft_term', 'jadfs_raft_is_leader', 'jadfs_raft_has_leader', 'jadfs_raft_commit_index', 'jadfs_cluster_voters', 'jadfs_cluster_target_voters',
        'jadfs_cluster_learners', 'jadfs_cluster_peers{state="alive"}', 'jadfs_cluster_peers{state="suspect"}', 'jadfs_cluster_peers{state="dead"}',
        'jadfs_replication_queued_chunks', 'jadfs_replication_missing_copies', 'jadfs_dht_provider_records', 'jadfs_dht_own_provider_records', 'jadfs_dht_provider_records_refused'].map(value),
      [4, 1, 1, 17, 3, 3, 1, 2, 1, 1, 2, 5, 9, 4, 1])
    // the next scrape reads afresh
    term = 5
    await new Promise((resolve) => setImmediate(resolve))
    assert.match(await registry.metrics(), /^jadfs_raft_term 5$/m)
    assert.equal(builds, 2)
  })
})
