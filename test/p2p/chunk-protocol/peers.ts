// Two or three real hosts on 127.0.0.1, each with its own real chunk store, for the chunk
// protocol tests; `fake` registers a raw handler in place of the real protocol, so a test
// can make a peer misbehave on the wire (stay silent, lie, trickle).
import type { Stream } from '@libp2p/interface'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { FramedStream } from '../../../src/p2p/protocols/framed-stream.js'
import { handleChunkProtocol } from '../../../src/p2p/protocols/chunk/handle-chunk-protocol.js'
import type { ChunkProtocolServer } from '../../../src/p2p/protocols/chunk/handle-chunk-protocol.js'
import type { ChunkServerLimits } from '../../../src/p2p/protocols/chunk/constants.js'
import { startCluster, stopAll } from '../helpers/hosts.js'
import { openTestStore } from './store-fixture.js'
import type { TestStore } from './store-fixture.js'

export interface Peer {
  readonly host: JadfsHost
  readonly store: TestStore
  server?: ChunkProtocolServer
}

export async function startPeers (count: number): Promise<Peer[]> {
  const hosts = await startCluster(count)
  const peers: Peer[] = []
  for (const [i, host] of hosts.entries()) peers.push({ host, store: await openTestStore(`peer${i}`) })
  return peers
}

export async function serve (peer: Peer, limits: Partial<ChunkServerLimits> = {}): Promise<ChunkProtocolServer> {
  peer.server = await handleChunkProtocol(peer.host, { store: peer.store, limits })
  return peer.server
}

export async function stopPeers (peers: readonly Peer[]): Promise<void> {
  await stopAll(peers.map((p) => p.host))
  for (const peer of peers) await peer.store.close()
}

/** Registers a raw handler for `protocol` that does whatever `behave` says with each stream. */
export async function fake (host: JadfsHost, protocol: string, behave: (framed: FramedStream, stream: Stream) => Promise<void>): Promise<void> {
  await host.handle(protocol, (stream) => {
    const framed = new FramedStream(stream, { maxReadBytes: 1024 * 1024, maxWriteBytes: 1024 * 1024 }, 'fake peer')
    void behave(framed, stream).catch(() => {})
  }, { maxInboundStreams: 8, maxOutboundStreams: 8 })
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
