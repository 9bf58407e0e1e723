// Two or three real hosts on 127.0.0.1, each with its own real chunk store, for the chunk
// protocol tests; `fake` registers a raw handler in place of the real protocol, so a test
// can make a peer misbehave on the wire (stay silent, lie, trickle).
import type { Stream } from '@libp2p/interface'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { FramedStream } from '../../../src/p2p/protocols/framed-stream.js'
import { handleChunkProtocol } from '../../../src/p2p/protocols/chunk/handle-chunk-protocol.js'
import type { ChunkProtocolInit, ChunkProtocolServer } from '../../../src/p2p/protocols/chunk/handle-chunk-protocol.js'
import { nodeChunkFs } from '../../../src/store/chunk-fs.js'
import type { ChunkFs } from '../../../src/store/chunk-fs.js'
import type { ChunkServerLimits } from '../../../src/p2p/protocols/chunk/constants.js'
import { startCluster, stopAll, waitFor } from '../helpers/hosts.js'
import { openTestStore } from './store-fixture.js'
import type { TestStore } from './store-fixture.js'

export interface Peer {
  readonly host: JadfsHost
  readonly store: TestStore
  server?: ChunkProtocolServer
}

/** `fileSystems[i]`, if given, is the chunk file system of peer i. */
export async function startPeers (count: number, fileSystems: Array<ChunkFs | undefined> = []): Promise<Peer[]> {
  const hosts = await startCluster(count)
  const peers: Peer[] = []
  for (const [i, host] of hosts.entries()) peers.push({ host, store: await openTestStore(`peer${i}`, fileSystems[i]) })
  return peers
}

export async function serve (peer: Peer, limits: Partial<ChunkServerLimits> = {}, hooks: Pick<ChunkProtocolInit, 'onStored' | 'claimRoom'> = {}): Promise<ChunkProtocolServer> {
  peer.server = await handleChunkProtocol(peer.host, { store: peer.store, limits, ...hooks })
  return peer.server
}

export async function stopPeers (peers: readonly Peer[]): Promise<void> {
  await stopAll(peers.map((p) => p.host))
  for (const peer of peers) await peer.store.close()
}

/** Registers a raw handler for `protocol` that does whatever `behave` says with each stream. */
export async function fake (host: JadfsHost, protocol: string, behave: (framed: FramedStream, stream: Stream) => Promise<void>): Promise<void> {
  // Replaces whatever handled the protocol before, so one host can misbehave in turns.
  await host.unhandle(protocol)
  await host.handle(protocol, (stream) => {
    const framed = new FramedStream(stream, { maxReadBytes: 1024 * 1024, maxWriteBytes: 1024 * 1024 }, 'fake peer')
    void behave(framed, stream).catch(() => {})
  }, { maxInboundStreams: 8, maxOutboundStreams: 8 })
}

/** A file system whose chunk writes fail with ENOSPC after `okWrites` writes per file. */
export function fullDiskAfter (okWrites: number): ChunkFs {
  const real = nodeChunkFs()
  return {
    createExclusive: async (path) => {
      const handle = await real.createExclusive(path)
      let writes = 0
      return {
        write: async (buffer, offset, length) => {
          if (writes++ >= okWrites) throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' })
          return await handle.write(buffer, offset, length)
        },
        datasync: async () => { await handle.datasync() },
        close: async () => { await handle.close() }
      }
    }
  }
}

/** Waits until the peer's server holds no transfer slot: every transfer it saw has ended. */
export async function waitForIdle (peer: Peer, timeoutMs = 5000): Promise<void> {
  await waitFor(`${peer.host.peerId.toString()} to end its transfers`, () => peer.server?.activeTransfers() === 0, timeoutMs, 10)
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
