// The far end of the stream ceiling: a JaDFS libp2p host (same transport config as a daemon)
// in its own process that swallows one stream's bytes and answers with their count.
// Prints {"addr": ...} on stdout once listening; exits on SIGTERM.
import '../src/p2p/shims/install.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { parseClusterKey } from '../src/p2p/cluster-key.js'
import { createJadfsHost } from '../src/p2p/host.js'

export const STREAM_BENCH_PROTOCOL = '/jadfs/bench/stream/1.0.0'
/** the cluster key's text, when the ceiling is measured with one */
export const BENCH_CLUSTER_KEY_ENV = 'JADFS_BENCH_CLUSTER_KEY'

async function main (): Promise<void> {
  const keyText = process.env[BENCH_CLUSTER_KEY_ENV] ?? ''
  const clusterKey = keyText === '' ? undefined : parseClusterKey(keyText, BENCH_CLUSTER_KEY_ENV)
  const host = await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], ...(clusterKey === undefined ? {} : { clusterKey }) })
  await host.handle(STREAM_BENCH_PROTOCOL, (stream) => {
    void (async () => {
      let bytes = 0
      for await (const piece of stream) bytes += piece.byteLength
      const answer = new Uint8Array(8)
      new DataView(answer.buffer).setBigUint64(0, BigInt(bytes))
      stream.send(answer)
      await stream.close()
    })()
  }, { maxInboundStreams: 4, maxOutboundStreams: 4 })
  process.stdout.write(JSON.stringify({ addr: host.multiaddrs()[0]?.toString() }) + '\n')
  process.once('SIGTERM', () => { void host.stop().then(() => process.exit(0)) })
}

if (process.argv[1]?.endsWith('stream-ceiling-peer.js') === true) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`)
    process.exit(1)
  })
}
