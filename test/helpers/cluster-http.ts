// Small HTTP helpers for the cluster tests: put and get bytes through any peer's API, read
// the cluster view, and find which peers hold a chunk file on disk.
import { access } from 'node:fs/promises'
import path from 'node:path'
import type { ClusterView } from '../../src/api/cluster-view.js'
import type { FileRecord } from '../../src/files/file-service.js'
import type { LocalCluster } from '../../src/harness/local-cluster.js'
import { listChunkFiles } from './chunk-files.js'

/** daemon flags for cluster tests: quick failure detection, small chunks, logs kept for failures */
// a small reserve: the tests put little, and must not fail on a machine with little free disk
export const TEST_DAEMON_ARGS = ['--heartbeat-interval', '300ms', '--chunk-size', '256KiB', '--log-level', 'info', '--reserve', '8MiB']

export interface HttpResult<T> {
  readonly status: number
  readonly body: T
}

export interface ApiError {
  readonly error: { readonly code: string, readonly message: string }
}

export async function putBytes (apiUrl: string, remotePath: string, bytes: Uint8Array, query = ''): Promise<HttpResult<FileRecord & ApiError>> {
  const res = await fetch(`${apiUrl}/v1/files${remotePath}${query === '' ? '' : `?${query}`}`, { method: 'PUT', body: bytes, signal: AbortSignal.timeout(60_000) })
  return { status: res.status, body: await res.json() as FileRecord & ApiError }
}

export async function getBytes (apiUrl: string, remotePath: string, query = ''): Promise<HttpResult<Buffer>> {
  const res = await fetch(`${apiUrl}/v1/files${remotePath}${query === '' ? '' : `?${query}`}`, { signal: AbortSignal.timeout(60_000) })
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) }
}

export async function getJson<T> (url: string, init: RequestInit = {}): Promise<HttpResult<T>> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) })
  return { status: res.status, body: await res.json() as T }
}

export async function clusterView (apiUrl: string): Promise<ClusterView> {
  return (await getJson<ClusterView>(`${apiUrl}/v1/cluster`)).body
}

/** indexes of the nodes with a chunk file for cid in their data dir */
export async function holdersOf (cluster: LocalCluster, cid: string): Promise<number[]> {
  const out: number[] = []
  for (const node of cluster.nodes) {
    const files = await listChunkFiles(node.dataDir)
    if (files.some((f) => path.basename(f) === cid)) out.push(node.index)
  }
  return out
}

export async function exists (filePath: string): Promise<boolean> {
  return await access(filePath).then(() => true, () => false)
}

export async function waitUntil (what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** bytes that differ per seed and position, cheap to make and to compare */
export function patternBytes (sizeBytes: number, seed: number): Buffer {
  const bytes = Buffer.alloc(sizeBytes)
  for (let i = 0; i < sizeBytes; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff
  return bytes
}
