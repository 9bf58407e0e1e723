// Checks private clusters. The key file: a generated key reads back (CRLF and surrounding
// blanks tolerated), each malformed shape (wrong line count, header, encoding, key length or
// digits, an oversized file, a missing file) is INVALID_CONFIG naming the problem, and a new
// key is written readable by its owner only and never over an existing file. The file's size
// limit at its edge (a key padded with blank lines to exactly MAX_KEY_FILE_BYTES reads, one
// byte more is refused by its size), and a directory given as the key refused as not a regular
// file (the key is read by the small-file reader, whose tests cover FIFOs and /dev/zero). With real hosts:
// two hosts holding the same key connect and answer a have query; a host with another key, or
// with none, cannot connect to a keyed host (and a keyed host cannot connect to an open one);
// 128 MiB sent as fast as one stream takes it arrive whole over a keyed connection; a keyed
// dial to a TCP server that accepts and then says nothing gives up at the private network's
// handshake deadline (5 s), not at the later dial deadline (10 s) and not before.
import { strict as assert } from 'node:assert'
import { stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { multiaddr } from '@multiformats/multiaddr'
import path from 'node:path'
import { isJadfsError } from '../../src/errors.js'
import { MAX_KEY_FILE_BYTES, newClusterKey, parseClusterKey, readClusterKey, writeNewClusterKey } from '../../src/p2p/cluster-key.js'
import { DIAL_TIMEOUT_MS, PRIVATE_NETWORK_HANDSHAKE_MS } from '../../src/p2p/host-limits.js'
import type { JadfsHost } from '../../src/p2p/host.js'
import { handleHave, requestHave } from '../../src/p2p/index.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'
import { addrOf, startHost, stopAll } from './helpers/hosts.js'
import { chunkCid } from './helpers/cids.js'

const HEX = 'ab'.repeat(32)
const BULK_PROTOCOL = '/jadfs-test/bulk/1.0.0'
const BULK_MIB = 128
const VALID = `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}`

function expectInvalid (fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => isJadfsError(err) && err.code === 'INVALID_CONFIG' && message.test(err.message))
}

describe('p2p: cluster key', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir('jadfs-cluster-key-') })
  afterEach(async () => { await removeTempDir(dir) })

  it('parses the swarm key format and refuses each malformed shape', () => {
    assert.equal(new TextDecoder().decode(parseClusterKey(VALID, 'k')), VALID)
    assert.equal(new TextDecoder().decode(parseClusterKey(`\r\n/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX.toUpperCase()}\r\n\r\n`, 'k')), VALID)
    expectInvalid(() => parseClusterKey(HEX, 'k'), /expected 3 lines .* found 1/)
    expectInvalid(() => parseClusterKey(VALID.replace('1.0.0', '2.0.0'), 'k'), /first line must be/)
    expectInvalid(() => parseClusterKey(VALID.replace('base16', 'base64'), 'k'), /second line must be \/base16\//)
    expectInvalid(() => parseClusterKey(VALID.slice(0, -1), 'k'), /64 hex digits/)
    expectInvalid(() => parseClusterKey(VALID + 'a', 'k'), /64 hex digits/)
    expectInvalid(() => parseClusterKey(VALID.slice(0, -1) + 'g', 'k'), /64 hex digits/)
  })

  it('writes a new key for the owner only, reads it back, and never overwrites one', async () => {
    const file = path.join(dir, 'cluster.key')
    await writeNewClusterKey(file)
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    const key = await readClusterKey(file)
    assert.match(new TextDecoder().decode(key), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
    await assert.rejects(writeNewClusterKey(file), (err: unknown) => isJadfsError(err) && err.code === 'INVALID_ARGUMENT' && /already exists/.test(err.message))
    assert.deepEqual(await readClusterKey(file), key, 'the refused write changed the key')
    const other = path.join(dir, 'other.key')
    await writeNewClusterKey(other)
    assert.notDeepEqual(await readClusterKey(other), key, 'two new keys are the same')
  })

  it('makes new keys in the form the parser returns, each different', () => {
    const key = newClusterKey()
    assert.deepEqual(parseClusterKey(new TextDecoder().decode(key), 'new'), key)
    assert.notDeepEqual(newClusterKey(), key)
  })

  it('refuses a missing or oversized key file', async () => {
    await assert.rejects(readClusterKey(path.join(dir, 'nope.key')), (err: unknown) => isJadfsError(err) && err.code === 'INVALID_CONFIG' && /cannot read the cluster key/.test(err.message))
    const big = path.join(dir, 'big.key')
    await writeFile(big, VALID + '\n'.repeat(1024))
    await assert.rejects(readClusterKey(big), (err: unknown) => isJadfsError(err) && err.code === 'INVALID_CONFIG' && /a key file has about 100/.test(err.message))
  })

  // Blank lines are ignored by the parser, so padding a valid key with them makes a file only
  // the size check can refuse: at the limit it reads as the key, one byte past it is refused
  // naming its size.
  it('reads a key file of exactly MAX_KEY_FILE_BYTES and refuses one byte more by its size', async () => {
    const atLimit = path.join(dir, 'at-limit.key')
    await writeFile(atLimit, VALID.padEnd(MAX_KEY_FILE_BYTES, '\n'))
    assert.equal((await stat(atLimit)).size, MAX_KEY_FILE_BYTES)
    assert.equal(new TextDecoder().decode(await readClusterKey(atLimit)), VALID)
    const over = path.join(dir, 'over.key')
    await writeFile(over, VALID.padEnd(MAX_KEY_FILE_BYTES + 1, '\n'))
    await assert.rejects(readClusterKey(over), (err: unknown) => isJadfsError(err) && err.code === 'INVALID_CONFIG' && err.message.includes(`${MAX_KEY_FILE_BYTES + 1} bytes, a key file has about 100`))
  })

  it('refuses a directory as the key file as not a regular file', async () => {
    await assert.rejects(readClusterKey(dir), (err: unknown) => isJadfsError(err, 'INVALID_CONFIG') && err.message === `cannot read the cluster key ${dir}: a directory is not a regular file`)
  })

  describe('real hosts', function () {
    this.timeout(60_000)
    let hosts: JadfsHost[] = []
    afterEach(async () => { await stopAll(hosts); hosts = [] })

    const newKey = async (name: string): Promise<Uint8Array> => {
      const file = path.join(dir, name)
      await writeNewClusterKey(file)
      return await readClusterKey(file)
    }
    const refused = async (from: JadfsHost, to: JadfsHost): Promise<void> => {
      await assert.rejects(from.dial(addrOf(to), { signal: AbortSignal.timeout(15_000) }))
      assert.equal(from.libp2p.getConnections(to.peerId).length, 0)
    }

    it('connects hosts holding the same key, and no host with another key or none', async () => {
      const key = await newKey('a.key')
      const keyed = await startHost({ clusterKey: key })
      const sameKey = await startHost({ clusterKey: key })
      const otherKey = await startHost({ clusterKey: await newKey('b.key') })
      const open = await startHost()
      hosts = [keyed, sameKey, otherKey, open]
      const cid = await chunkCid('held by the keyed host')
      await handleHave(keyed, (asked) => asked.equals(cid))
      assert.deepEqual(await requestHave(sameKey, addrOf(keyed), [cid], { signal: AbortSignal.timeout(15_000) }), [true])
      await refused(otherKey, keyed)
      await refused(open, keyed)
      await refused(keyed, open)
    })

    it('gives up on a silent listener at the handshake deadline', async () => {
      const silent = net.createServer(() => {})
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const sockets: net.Socket[] = []
      silent.on('connection', (socket) => sockets.push(socket))
      try {
        const keyed = await startHost({ clusterKey: await newKey('silent.key') })
        hosts = [keyed]
        const { port } = silent.address() as net.AddressInfo
        const target = multiaddr(`/ip4/127.0.0.1/tcp/${port}`)
        const started = performance.now()
        await assert.rejects(keyed.libp2p.dial(target, { signal: AbortSignal.timeout(30_000) }))
        const elapsedMs = performance.now() - started
        assert.ok(sockets.length >= 1, 'the dial never reached the listener')
        assert.ok(elapsedMs >= PRIVATE_NETWORK_HANDSHAKE_MS - 100, `gave up after ${Math.round(elapsedMs)} ms, before the ${PRIVATE_NETWORK_HANDSHAKE_MS} ms deadline`)
        assert.ok(elapsedMs < DIAL_TIMEOUT_MS, `gave up after ${Math.round(elapsedMs)} ms: the dial deadline, not the handshake's, ended it`)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => silent.close(resolve))
      }
    })

    it('carries a bulk transfer on a keyed connection (the protector once failed on large send queues)', async () => {
      const key = await newKey('bulk.key')
      const receiver = await startHost({ clusterKey: key })
      const sender = await startHost({ clusterKey: key })
      hosts = [receiver, sender]
      let received = 0
      const done = new Promise<void>((resolve, reject) => {
        void receiver.libp2p.handle(BULK_PROTOCOL, async (stream) => {
          try {
            for await (const piece of stream) received += piece.byteLength
            resolve()
          } catch (err) {
            reject(err as Error)
          }
        })
      })
      const stream = await sender.libp2p.dialProtocol(addrOf(receiver), BULK_PROTOCOL, { signal: AbortSignal.timeout(15_000) })
      const pieces = Array.from({ length: 8 }, (_, i) => new Uint8Array(1024 * 1024).fill(i))
      for (let i = 0; i < BULK_MIB; i++) {
        if (!stream.send(pieces[i % pieces.length] as Uint8Array)) await stream.onDrain({ signal: AbortSignal.timeout(30_000) })
      }
      await stream.close({ signal: AbortSignal.timeout(30_000) })
      await done
      assert.equal(received, BULK_MIB * 1024 * 1024)
    })
  })
})
