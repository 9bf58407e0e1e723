// Checks when the harness counts a started cluster as formed: a leader, every started node a
// member, and exactly min(voters, nodes) voters; each missing piece is named in the reason.
import { strict as assert } from 'node:assert'
import { expectedVoterCount, formationGap } from '../../src/harness/cluster-formed.js'
import { clusterView, newPeerIds } from '../helpers/cluster-views.js'

describe('harness: cluster formation', () => {
  let ids: string[]
  before(async () => { ids = await newPeerIds(5) })

  it('expects min(voters, nodes) voters', () => {
    assert.equal(expectedVoterCount(3, 1), 1)
    assert.equal(expectedVoterCount(3, 3), 3)
    assert.equal(expectedVoterCount(3, 5), 3)
    assert.equal(expectedVoterCount(5, 4), 4)
  })

  it('is formed with a leader, every node a member and the expected voters', () => {
    const view = clusterView({ peerId: ids[0] ?? '', voters: ids.slice(0, 3), learners: ids.slice(3), peers: [] })
    assert.equal(formationGap(view, ids, 3), undefined)
  })

  it('names each missing piece', () => {
    const noLeader = clusterView({ peerId: ids[0] ?? '', leader: null, voters: ids.slice(0, 3), learners: ids.slice(3), peers: [] })
    assert.deepEqual(formationGap(noLeader, ids, 3), { missing: [], reason: 'no leader elected' })
    const oneShort = clusterView({ peerId: ids[0] ?? '', voters: ids.slice(0, 3), learners: ids.slice(3, 4), peers: [] })
    assert.deepEqual(formationGap(oneShort, ids, 3), { missing: [ids[4]], reason: '1 node(s) not members yet' })
    const fewVoters = clusterView({ peerId: ids[0] ?? '', voters: ids.slice(0, 2), learners: ids.slice(2), peers: [] })
    assert.deepEqual(formationGap(fewVoters, ids, 3), { missing: [], reason: '2 voter(s), expected 3' })
    const tooMany = clusterView({ peerId: ids[0] ?? '', voters: ids.slice(0, 5), learners: [], peers: [] })
    assert.equal(formationGap(tooMany, ids, 3)?.reason, '5 voter(s), expected 3')
  })
})
