// What `jadfs cluster down` and `jadfs cluster status` do with a cluster started earlier by
// another process: they know it only through DIR/cluster.json (pids, data dirs, API URLs).
import path from 'node:path'
import type { ClusterView } from '../api/cluster-view.js'
import { requireClusterFile, type ClusterFileNode } from './cluster-file.js'
import { probeCluster } from './cluster-probe.js'
import { DEFAULT_STOP_TIMEOUT_MS } from './limits.js'
import { isDaemonProcess, terminate, type StopOutcome } from './process-control.js'

export interface StoppedNode {
  readonly index: number
  readonly pid: number
  readonly outcome: StopOutcome
}

/** SIGTERM to every recorded node still running, SIGKILL to those still running after timeoutMs */
export async function stopRecordedCluster (dir: string, options: { timeoutMs?: number, onStopped?: (node: StoppedNode) => void } = {}): Promise<StoppedNode[]> {
  const { nodes } = await requireClusterFile(path.resolve(dir))
  return await Promise.all(nodes.map(async (node) => {
    const outcome = await terminate(node.pid, async () => await isDaemonProcess(node.pid, node.dataDir), options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS)
    const stopped = { index: node.index, pid: node.pid, outcome }
    options.onStopped?.(stopped)
    return stopped
  }))
}

export interface NodeHealth {
  readonly node: ClusterFileNode
  readonly running: boolean
  /** GET /v1/cluster answered */
  readonly answering: boolean
  readonly view: ClusterView | undefined
  /** why it did not answer */
  readonly error: string | undefined
}

/** apiToken: for daemons started with --api-token-file */
export async function inspectRecordedCluster (dir: string, apiToken?: string): Promise<NodeHealth[]> {
  const { nodes } = await requireClusterFile(path.resolve(dir))
  return await Promise.all(nodes.map(async (node) => {
    const running = await isDaemonProcess(node.pid, node.dataDir)
    if (node.apiUrl === null) return { node, running, answering: false, view: undefined, error: 'no API URL recorded (it never finished starting)' }
    if (!running) return { node, running, answering: false, view: undefined, error: 'not running' }
    const probe = await probeCluster(node.apiUrl, apiToken)
    return probe.ok
      ? { node, running, answering: true, view: probe.view, error: undefined }
      : { node, running, answering: false, view: undefined, error: probe.error }
  }))
}

/** the leader as the answering node with the highest term sees it, or null if none knows one */
export function leaderOf (health: readonly NodeHealth[]): { peerId: string, term: number, index: number | undefined } | null {
  let best: ClusterView | undefined
  for (const h of health) {
    const view = h.view
    if (view !== undefined && view.leader !== null && (best === undefined || view.term > best.term)) best = view
  }
  const leader = best?.leader
  if (best === undefined || leader === undefined || leader === null) return null
  return { peerId: leader, term: best.term, index: health.find((h) => h.node.peerId === leader)?.node.index }
}
