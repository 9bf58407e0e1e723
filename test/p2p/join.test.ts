// Checks joining. With a scripted dial function and a recording sleep: retries with
// exponential, capped backoff until a dial succeeds; gives up after the attempt budget and
// reports the last error; stops at once when the signal aborts. With real hosts: three
// hosts joined through the first are connected, an address nobody listens on is reported
// as failed without failing the host; a malformed --join address or a listen port that is
// taken is INVALID_CONFIG.
import { strict as assert } from 'node:assert'
import { multiaddr } from '@multiformats/multiaddr'
import { isJadfsError } from '../../src/errors.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { joinBootstrap } from '../../src/p2p/join.js'
import type { DialFn } from '../../src/p2p/join.js'
import { startCluster, startHost, stopAll, waitFor } from './helpers/hosts.js'

const ADDR = multiaddr('/ip4/127.0.0.1/tcp/9')
const POLICY = { attempts: 5, initialBackoffMs: 100, maxBackoffMs: 300 }

describe('p2p: join', () => {
  describe('retry loop', () => {
    it('retries with capped exponential backoff until a dial succeeds', async () => {
      const sleeps: number[] = []
      let dials = 0
      const dial: DialFn = async () => { if (++dials < 4) throw new Error(`refused ${dials}`) }
      const result = await joinBootstrap([ADDR], dial, new AbortController().signal, POLICY, async (ms) => { sleeps.push(ms) })
      assert.deepEqual(result, { connected: [ADDR.toString()], failed: [] })
      assert.equal(dials, 4)
      assert.deepEqual(sleeps, [100, 200, 300])
    })

    it('gives up after the attempt budget and reports the last error', async () => {
      let dials = 0
      const dial: DialFn = async () => { throw new Error(`refused ${++dials}`) }
      const result = await joinBootstrap([ADDR], dial, new AbortController().signal, POLICY, async () => {})
      assert.equal(dials, POLICY.attempts)
      assert.deepEqual(result, { connected: [], failed: [{ addr: ADDR.toString(), attempts: POLICY.attempts, error: 'refused 5' }] })
    })

    it('stops retrying as soon as the signal aborts', async () => {
      const controller = new AbortController()
      let dials = 0
      const dial: DialFn = async () => { dials++; throw new Error('refused') }
      const joined = joinBootstrap([ADDR], dial, controller.signal, { attempts: 100, initialBackoffMs: 60_000, maxBackoffMs: 60_000 })
      await waitFor('the first dial', () => dials === 1, 1000, 5)
      const started = Date.now()
      controller.abort(new Error('stopping'))
      const result = await joined
      assert.ok(Date.now() - started < 1000)
      assert.equal(dials, 1)
      assert.equal(result.failed[0]?.error, 'stopping')
    })
  })

  describe('real hosts', () => {
    let hosts: JadfsHost[] = []
    afterEach(async () => { await stopAll(hosts); hosts = [] })

    it('connects three hosts joined through the first', async () => {
      hosts = await startCluster(3)
      const [first, second, third] = hosts as [JadfsHost, JadfsHost, JadfsHost]
      for (const joiner of [second, third]) {
        assert.deepEqual((await joiner.joined).failed, [])
        assert.ok(joiner.connectedPeers().some((p) => p.equals(first.peerId)))
        assert.ok(first.connectedPeers().some((p) => p.equals(joiner.peerId)))
      }
    })

    it('reports an unreachable join address without failing the host', async () => {
      // Port 9 (discard) is not listened on here, so the dial is refused.
      const host = await startHost({ bootstrap: ['/ip4/127.0.0.1/tcp/9'], joinPolicy: { attempts: 2, initialBackoffMs: 10, maxBackoffMs: 10 } })
      hosts = [host]
      const result = await host.joined
      assert.equal(result.connected.length, 0)
      assert.equal(result.failed.length, 1)
      assert.equal(result.failed[0]?.attempts, 2)
      assert.ok(host.multiaddrs().length > 0, 'the host still listens')
    })

    it('fails to start with INVALID_CONFIG when the listen port is taken', async () => {
      const first = await startHost()
      hosts = [first]
      const taken = first.multiaddrs().find((a) => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))!.decapsulate('/p2p')
      await assert.rejects(startHost({ listen: [taken.toString()] }), (err) => isJadfsError(err, 'INVALID_CONFIG') && /could not start/.test(err.message))
    })

    it('refuses a malformed join address with INVALID_CONFIG', async () => {
      await assert.rejects(startHost({ bootstrap: ['not-a-multiaddr'] }), (err) => isJadfsError(err, 'INVALID_CONFIG'))
    })
  })
})
