// Real libp2p hosts on 127.0.0.1 (tcp port 0) for the p2p tests, and a bounded poll.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createJadfsHost } from '../../../src/p2p/host.js'
import type { JadfsHost, JadfsHostInit } from '../../../src/p2p/host.js'

export const LOOPBACK_LISTEN = '/ip4/127.0.0.1/tcp/0'

export async function startHost (init: Partial<JadfsHostInit> = {}): Promise<JadfsHost> {
  return await createJadfsHost({ privateKey: await generateKeyPair('Ed25519'), listen: [LOOPBACK_LISTEN], ...init })
}

/** A dialable address of `host` that includes its peer id. */
export function addrOf (host: JadfsHost): Multiaddr {
  const addr = host.multiaddrs().find((a) => a.toString().startsWith('/ip4/127.0.0.1/tcp/'))
  if (addr === undefined) throw new Error(`host ${host.peerId.toString()} has no loopback address`)
  return addr
}

/** Starts `count` hosts; every host after the first joins through the first. */
export async function startCluster (count: number, init: Partial<JadfsHostInit> = {}): Promise<JadfsHost[]> {
  const first = await startHost(init)
  const hosts = [first]
  for (let i = 1; i < count; i++) hosts.push(await startHost({ ...init, bootstrap: [addrOf(first).toString()] }))
  for (const host of hosts) {
    const joined = await host.joined
    if (joined.failed.length > 0) throw new Error(`join failed: ${JSON.stringify(joined.failed)}`)
  }
  // The joiner's dial completes before the first host has registered the inbound
  // connection; a test that dials back during that window would open a second one.
  for (const host of hosts.slice(1)) {
    await waitFor('the first host to see each joiner', () => first.libp2p.getConnections(host.peerId).length > 0, 5000, 5)
  }
  return hosts
}

export async function stopAll (hosts: readonly JadfsHost[]): Promise<void> {
  await Promise.all(hosts.map(async (h) => { await h.stop() }))
}

/** Polls `check` every intervalMs until it returns true; fails after timeoutMs. */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
