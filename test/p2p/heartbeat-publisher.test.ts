// Checks HeartbeatPublisher without a network: each tick publishes the current stats, a
// failing publish is logged and does not throw, and a tick while one is in flight is skipped.
import { strict as assert } from 'node:assert'
import type { HeartbeatStats } from '../../src/p2p/gossip/cluster-gossip.js'
import { RaftRole } from '../../src/p2p/gossip/heartbeat.js'
import { HeartbeatPublisher } from '../../src/p2p/gossip/heartbeat-publisher.js'
import type { P2pLogger } from '../../src/p2p/logger.js'

const stats = (chunkCount: number): HeartbeatStats => ({ freeBytes: 1, usedBytes: 2, chunkCount, raftRole: RaftRole.RAFT_ROLE_FOLLOWER, raftTerm: 1, version: 'v', apiAddress: 'a' })

describe('p2p: heartbeat publisher', () => {
  it('publishes the current stats on each tick and logs failures', async () => {
    const published: number[] = []
    const warnings: string[] = []
    let fail = false
    let count = 0
    const logger: P2pLogger = { debug: () => {}, info: () => {}, warn: (_f, m) => { warnings.push(m) } }
    const publisher = new HeartbeatPublisher({
      publishHeartbeat: async (s) => { if (fail) throw new Error('no peers'); published.push(s.chunkCount); return 1 }
    }, () => stats(++count), logger)
    await publisher.tick()
    await publisher.tick()
    fail = true
    await publisher.tick()
    assert.deepEqual(published, [1, 2])
    assert.deepEqual(warnings, ['could not publish a heartbeat'])
  })

  it('skips a tick while the previous publish is in flight', async () => {
    let calls = 0
    let release: () => void = () => {}
    const publisher = new HeartbeatPublisher({
      publishHeartbeat: async () => { calls++; await new Promise<void>((resolve) => { release = resolve }); return 0 }
    }, () => stats(0), { debug: () => {}, info: () => {}, warn: () => {} })
    const first = publisher.tick()
    await publisher.tick()
    assert.equal(calls, 1)
    release()
    await first
    const third = publisher.tick()
    release()
    await third
    assert.equal(calls, 2)
  })
})
