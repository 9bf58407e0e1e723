// Checks that a slow ping answer does not cost a peer its connection. libp2p's connection
// monitor pings every connection every 10 s and, by default, aborts one whose answer takes
// over 5 s, with every transfer on it; on a saturated link the ping waits behind transfer
// data that long. Two real hosts; the second answers pings only after 7 s. The first ping
// (about 10 s after start) is answered late, and the connection it went over is still open
// afterwards. With the library's 5 s it is aborted before the answer.
import { strict as assert } from 'node:assert'
import { setTimeout as sleep } from 'node:timers/promises'
import type { JadfsHost } from '../../src/p2p/host.js'
import { CONNECTION_PING_MIN_TIMEOUT_MS } from '../../src/p2p/host-limits.js'
import { startCluster, stopAll, waitFor } from './helpers/hosts.js'

const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const ANSWER_AFTER_MS = 7_000

describe('p2p: connection monitor', function () {
  this.timeout(60_000)
  let hosts: JadfsHost[] = []

  afterEach(async () => {
    await stopAll(hosts)
    hosts = []
  })

  it(`keeps a connection whose ping is answered after ${ANSWER_AFTER_MS / 1000} s (over the library's 5 s, under our ${CONNECTION_PING_MIN_TIMEOUT_MS / 1000} s)`, async () => {
    assert.ok(ANSWER_AFTER_MS > 5_000 && ANSWER_AFTER_MS < CONNECTION_PING_MIN_TIMEOUT_MS)
    hosts = await startCluster(2, { gossipLinkRepair: 'off' })
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    let answered = 0
    await b.libp2p.unhandle(PING_PROTOCOL)
    await b.libp2p.handle(PING_PROTOCOL, async (stream) => {
      for await (const piece of stream) {
        await sleep(ANSWER_AFTER_MS)
        stream.send(piece)
        answered++
      }
      await stream.close()
    }, { runOnLimitedConnection: true })
    const connection = a.libp2p.getConnections(b.peerId)[0]
    assert.ok(connection !== undefined)
    await waitFor('the connection monitor\'s first ping to be answered', () => answered > 0 || connection.status !== 'open', 30_000, 100)
    await sleep(500) // the pinger reads the answer
    assert.equal(connection.status, 'open', `the connection was ${connection.status} (answered ${answered} ping(s))`)
    assert.equal(answered, 1)
  })
})
