// The libp2p stream ceiling: bytes per second through one Noise + Yamux stream between two of
// our processes on loopback (this one and stream-ceiling-peer.js), with the daemon's transport
// configuration. The cluster figures are judged against it, measured in the same run; the
// same with a cluster key shows what a private cluster's extra cipher costs.
import '../src/p2p/shims/install.js'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createJadfsHost } from '../src/p2p/host.js'
import { BENCH_CLUSTER_KEY_ENV, STREAM_BENCH_PROTOCOL } from './stream-ceiling-peer.js'

const PIECE_BYTES = 256 * 1024

/** With a cluster key, both ends run the private-network protector, as a keyed cluster does. */
export async function measureStreamCeilingMBps (sizeBytes: number, clusterKey?: Uint8Array): Promise<number> {
  const peerScript = fileURLToPath(new URL('./stream-ceiling-peer.js', import.meta.url))
  const env = { ...process.env, [BENCH_CLUSTER_KEY_ENV]: clusterKey === undefined ? '' : new TextDecoder().decode(clusterKey) }
  const child = spawn(process.execPath, [peerScript], { stdio: ['ignore', 'pipe', 'inherit'], env })
  const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], ...(clusterKey === undefined ? {} : { clusterKey }) })
  try {
    const lines = createInterface({ input: child.stdout })
    const [first] = await once(lines, 'line') as [string]
    const { addr } = JSON.parse(first) as { addr: string }
    const stream = await host.dialProtocol(multiaddr(addr), STREAM_BENCH_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    // distinct pieces, so a buffer still queued in the muxer is never overwritten
    const pieces = Array.from({ length: 8 }, (_, i) => new Uint8Array(PIECE_BYTES).fill(i))
    const started = process.hrtime.bigint()
    let sent = 0
    let i = 0
    while (sent < sizeBytes) {
      const piece = pieces[i++ % pieces.length] as Uint8Array
      const part = sizeBytes - sent < PIECE_BYTES ? piece.subarray(0, sizeBytes - sent) : piece
      sent += part.byteLength
      if (!stream.send(part)) await stream.onDrain()
    }
    await stream.close()
    let answer = new Uint8Array(0)
    for await (const piece of stream) answer = new Uint8Array([...answer, ...piece.subarray()])
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const received = Number(new DataView(answer.buffer).getBigUint64(0))
    if (received !== sizeBytes) throw new Error(`the peer counted ${received} bytes, ${sizeBytes} were sent`)
    return Math.round(sizeBytes / seconds / 1e6)
  } finally {
    await host.stop()
    child.kill('SIGTERM')
  }
}
