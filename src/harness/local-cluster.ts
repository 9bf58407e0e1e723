// The local multi-peer harness: N real daemons on loopback, each in DIR/node<i> with its log in
// DIR/node<i>/daemon.log, used by `jadfs cluster`, the tests and the benchmark. Node 0 starts
// first and bootstraps the cluster; the others join it through its address. A start succeeds
// only once node 0 reports a leader and every node as a member; any failure stops what was
// started and names the node, its exit and the end of its log.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { ClusterView } from '../api/cluster-view.js'
import { readApiToken } from '../api/api-token.js'
import { JadfsError } from '../errors.js'
import { readClusterFile } from './cluster-file.js'
import type { ExitStatus } from './daemon-process.js'
import { jadfsBinPath } from './jadfs-bin.js'
import { DEFAULT_START_TIMEOUT_MS, DEFAULT_STOP_TIMEOUT_MS, DEFAULT_VOTERS, MAX_NODES } from './limits.js'
import { isDaemonProcess } from './process-control.js'
import { ProcessCluster, type Settings } from './process-cluster.js'

export { DEFAULT_START_TIMEOUT_MS, DEFAULT_STOP_TIMEOUT_MS, DEFAULT_VOTERS, MAX_NODES } from './limits.js'

export interface LocalClusterInit {
  readonly nodes: number
  /** holds node<i>/ (data dir and daemon.log) and cluster.json */
  readonly dir: string
  /** target voter count, odd (--voters of every daemon) @default 3 */
  readonly voters?: number
  /** extra flags for every daemon, after the harness's own (so they win) */
  readonly daemonArgs?: readonly string[]
  /** added to this process's environment for the daemons */
  readonly env?: Readonly<Record<string, string>>
  /** for the whole start, and for each restart() and addNode() @default 60_000 */
  readonly startTimeoutMs?: number
  /** how long stop() waits after SIGTERM before SIGKILL @default 15_000 */
  readonly stopTimeoutMs?: number
  /** the script run with node as `<bin> daemon ...` @default <repo>/bin/jadfs */
  readonly daemonBin?: string
  /** aborting stops the start (and the nodes started so far) with INTERRUPTED */
  readonly signal?: AbortSignal
}

export interface LocalNode {
  readonly index: number
  readonly dataDir: string
  readonly apiUrl: string
  readonly peerId: string
  /** the daemon's peer addresses, each ending in /p2p/<peerId> */
  readonly addrs: readonly string[]
  readonly pid: number
  readonly logFile: string
}

export interface LocalCluster {
  readonly dir: string
  /** the current process of each node (restart() and addNode() update it); throws while one is still starting */
  readonly nodes: readonly LocalNode[]
  isRunning (index: number): boolean
  /** SIGTERM to every running node, then SIGKILL to those still running after stopTimeoutMs */
  stop (): Promise<void>
  /**
   * Sends a signal to node index (default SIGKILL). For signals that end a process, waits for
   * the exit (SIGKILL after stopTimeoutMs) and returns it; for others (SIGSTOP, SIGCONT) returns
   * undefined at once.
   */
  kill (index: number, signal?: NodeJS.Signals): Promise<ExitStatus | undefined>
  /**
   * Stops node index if it runs, then starts it again with the same data dir and flags, on the
   * ports it had (its API URL and peer address do not change), and waits for its daemon.json.
   */
  restart (index: number): Promise<LocalNode>
  /** starts one more daemon, joining through every running node, and waits until it is a member */
  addNode (): Promise<LocalNode>
  /** polls GET /v1/cluster of every running node until one answer satisfies the predicate */
  waitFor (predicate: (view: ClusterView, node: LocalNode) => boolean, timeoutMs?: number): Promise<ClusterView>
  /** lets this process exit while the daemons keep running (what `jadfs cluster up` does) */
  detach (): void
}

export async function startLocalCluster (init: LocalClusterInit): Promise<LocalCluster> {
  const settings = validate(init)
  await mkdir(settings.dir, { recursive: true })
  await refuseIfRunning(settings.dir)
  const cluster = new ProcessCluster(settings)
  try {
    await cluster.start(init.nodes)
  } catch (err) {
    await cluster.stop().catch(() => {})
    throw err
  }
  return cluster
}

/** the token file the daemons will be started with (the last flag wins, as for the daemon), if any */
export function apiTokenFileOf (daemonArgs: readonly string[], env: Readonly<Record<string, string | undefined>>): string | undefined {
  let file: string | undefined
  daemonArgs.forEach((arg, i) => {
    if (arg === '--api-token-file') file = daemonArgs[i + 1]
    else if (arg.startsWith('--api-token-file=')) file = arg.slice('--api-token-file='.length)
  })
  const fromEnv = env.JADFS_API_TOKEN_FILE
  return file ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv)
}

function validate (init: LocalClusterInit): Settings {
  const whole = (n: unknown): boolean => Number.isSafeInteger(n)
  if (!whole(init.nodes) || init.nodes < 1 || init.nodes > MAX_NODES) {
    throw new JadfsError('INVALID_ARGUMENT', `nodes must be a whole number from 1 to ${MAX_NODES}, got ${String(init.nodes)}`)
  }
  const voters = init.voters ?? DEFAULT_VOTERS
  if (!whole(voters) || voters < 1 || voters % 2 === 0) {
    throw new JadfsError('INVALID_ARGUMENT', `voters must be an odd whole number (1, 3, 5, …), got ${String(voters)}`)
  }
  const daemonArgs = init.daemonArgs ?? []
  const env = { ...process.env, ...init.env }
  const tokenFile = apiTokenFileOf(daemonArgs, env)
  return {
    dir: path.resolve(init.dir),
    voters,
    daemonArgs,
    env,
    apiToken: tokenFile === undefined ? undefined : readApiToken(path.resolve(tokenFile), '--api-token-file'),
    startTimeoutMs: init.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    stopTimeoutMs: init.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    bin: init.daemonBin ?? jadfsBinPath(),
    signal: init.signal
  }
}

/** two clusters in one directory would share data dirs; a stale cluster.json (dead pids) is fine */
async function refuseIfRunning (dir: string): Promise<void> {
  const recorded = await readClusterFile(dir)
  for (const node of recorded?.nodes ?? []) {
    if (await isDaemonProcess(node.pid, node.dataDir)) {
      throw new JadfsError('CLUSTER_START_FAILED', `${dir} already runs a cluster: node ${node.index} (pid ${node.pid}) is alive; stop it first with \`jadfs cluster down --dir ${dir}\``)
    }
  }
}
