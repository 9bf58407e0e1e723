// Checks the small formatting rules of the cluster output at their limits: how long ago a
// heartbeat was (ms below 1 s, seconds below 2 min, minutes below 2 h, then hours), how peer ids
// are shortened, and which state a member gets when the peers list does not mention it.
import { strict as assert } from 'node:assert'
import { formatAgo, peerLiveness } from '../../src/cli/cluster-format.js'
import { shortPeerId } from '../../src/cli/peer-id-arg.js'
import { clusterView, newPeerIds, peerView } from '../helpers/cluster-views.js'

describe('CLI: cluster output formatting', () => {
  it('says how long ago in the unit that fits, switching exactly at each limit', () => {
    assert.equal(formatAgo(null), '-')
    assert.equal(formatAgo(0), '0 ms ago')
    assert.equal(formatAgo(999), '999 ms ago')
    assert.equal(formatAgo(1000), '1.0 s ago')
    assert.equal(formatAgo(119_999), '120.0 s ago')
    assert.equal(formatAgo(120_000), '2 min ago')
    assert.equal(formatAgo(7_199_999), '120 min ago')
    assert.equal(formatAgo(7_200_000), '2 h ago')
  })

  it('shortens a peer id to its last 8 characters, and leaves short ones whole', () => {
    assert.equal(shortPeerId('12D3KooWAbcdefghijkl'), '…efghijkl')
    assert.equal(shortPeerId('12345678'), '12345678')
    assert.equal(shortPeerId('123456789'), '…23456789')
  })

  it('reads liveness from the peers list: self is alive, an unlisted peer unknown', async () => {
    const [a, b, c] = await newPeerIds(3) as [string, string, string]
    const view = clusterView({ peerId: a, voters: [a, b, c], learners: [], peers: [peerView(a, { state: 'self' }), peerView(b, { state: 'dead' })] })
    assert.equal(peerLiveness(view, a), 'alive')
    assert.equal(peerLiveness(view, b), 'dead')
    assert.equal(peerLiveness(view, c), 'unknown')
  })
})
