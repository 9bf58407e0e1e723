// The local multi-peer harness: N real daemons on loopback, each in DIR/node<i> with its log in
// DIR/node<i>/daemon.log, used by `jadfs cluster`, the tests and the benchmark. Node 0 starts
// first and bootstraps the cluster; the others join it through its address. A start succeeds
// only once node 0 reports a leader and every node as a member; any failure stops what was
// started and names the node, its exit and the end of its log.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClusterView } from '../api/cluster-view.js'
import { JadfsError } from '../errors.js'
import { readClusterFile, writeClusterFile, type ClusterFileNode } from './cluster-file.js'
import { expectedVoterCount, formationGap, summarizeView } from './cluster-formed.js'
import { probeCluster } from './cluster-probe.js'
import { readDaemonFile, type DaemonFile } from './daemon-file.js'
import { describeExit, nodeLogFile, spawnDaemon, type DaemonProcess, type ExitStatus } from './daemon-process.js'
import { jadfsBinPath } from './jadfs-bin.js'
import { logTail } from './log-tail.js'
import { isDaemonProcess, signalGroup, terminate, waitUntilGone } from './process-control.js'

export const DEFAULT_VOTERS = 3
export const DEFAULT_START_TIMEOUT_MS = 60_000
export const DEFAULT_STOP_TIMEOUT_MS = 15_000
/** more daemons than this on one machine is a mistake, not a test */
export const MAX_NODES = 64
const POLL_INTERVAL_MS = 100
const LOG_TAIL_LINES = 15
/** signals after which kill() waits for the process to exit (the others, e.g. SIGSTOP, do not end it) */
const ENDING_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGABRT'])

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
  /** stops node index if it runs, then starts it again with the same data dir and flags */
  restart (index: number): Promise<LocalNode>
  /** starts one more daemon, joining through a running node, and waits until it is a member */
  addNode (): Promise<LocalNode>
  /** polls GET /v1/cluster of every running node until one answer satisfies the predicate */
  waitFor (predicate: (view: ClusterView, node: LocalNode) => boolean, timeoutMs?: number): Promise<ClusterView>
  /** lets this process exit while the daemons keep running (what `jadfs cluster up` does) */
  detach (): void
}

interface Settings {
  readonly dir: string
  readonly voters: number
  readonly daemonArgs: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly startTimeoutMs: number
  readonly stopTimeoutMs: number
  readonly bin: string
  readonly signal: AbortSignal | undefined
}

interface Slot {
  readonly index: number
  readonly dataDir: string
  readonly logFile: string
  /** the flags particular to this node (--join), kept for restarts */
  readonly ownArgs: readonly string[]
  proc: DaemonProcess
  info: DaemonFile | undefined
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

function validate (init: LocalClusterInit): Settings {
  const whole = (n: unknown): boolean => Number.isSafeInteger(n)
  if (!whole(init.nodes) || init.nodes < 1 || init.nodes > MAX_NODES) {
    throw new JadfsError('INVALID_ARGUMENT', `nodes must be a whole number from 1 to ${MAX_NODES}, got ${String(init.nodes)}`)
  }
  const voters = init.voters ?? DEFAULT_VOTERS
  if (!whole(voters) || voters < 1 || voters % 2 === 0) {
    throw new JadfsError('INVALID_ARGUMENT', `voters must be an odd whole number (1, 3, 5, …), got ${String(voters)}`)
  }
  return {
    dir: path.resolve(init.dir),
    voters,
    daemonArgs: init.daemonArgs ?? [],
    env: { ...process.env, ...init.env },
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

class ProcessCluster implements LocalCluster {
  readonly dir: string
  private readonly settings: Settings
  private readonly slots: Slot[] = []
  private recorded: Promise<void> = Promise.resolve()

  constructor (settings: Settings) {
    this.settings = settings
    this.dir = settings.dir
  }

  get nodes (): LocalNode[] {
    return this.slots.map((slot) => toLocalNode(slot))
  }

  isRunning (index: number): boolean {
    return this.slot(index).proc.exit === undefined
  }

  async start (count: number): Promise<void> {
    const deadline = Date.now() + this.settings.startTimeoutMs
    const first = await this.launch(0, [])
    await this.awaitDaemonFile(first, deadline, this.slots)
    const join = first.info?.addrs[0]
    if (join === undefined) throw new JadfsError('CLUSTER_START_FAILED', `node 0 lists no peer address in ${path.join(first.dataDir, 'daemon.json')}; the others cannot join it`)
    const others = await Promise.all(Array.from({ length: count - 1 }, async (_, i) => await this.launch(i + 1, ['--join', join])))
    await Promise.all(others.map(async (slot) => { await this.awaitDaemonFile(slot, deadline, this.slots) }))
    await this.awaitFormed(first, deadline)
  }

  async stop (): Promise<void> {
    await Promise.all(this.slots.map(async (slot) => { await this.end(slot) }))
  }

  async kill (index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus | undefined> {
    const slot = this.slot(index)
    if (slot.proc.exit !== undefined) return slot.proc.exit
    if (signal === 'SIGTERM') return await this.end(slot)
    const proc = slot.proc
    process.kill(proc.pid, signal)
    if (!ENDING_SIGNALS.has(signal)) return undefined
    // Not end(): its SIGTERM would be a second signal, which makes the daemon skip its clean stop.
    if (!await waitUntilGone(() => proc.exit === undefined, this.settings.stopTimeoutMs)) signalGroup(proc.pid, 'SIGKILL')
    return await proc.exited
  }

  async restart (index: number): Promise<LocalNode> {
    const slot = this.slot(index)
    await this.end(slot)
    slot.proc = await this.spawn(slot)
    slot.info = undefined
    await this.record()
    await this.awaitDaemonFile(slot, Date.now() + this.settings.startTimeoutMs, [slot])
    return toLocalNode(slot)
  }

  async addNode (): Promise<LocalNode> {
    if (this.slots.length >= MAX_NODES) throw new JadfsError('INVALID_ARGUMENT', `the harness runs at most ${MAX_NODES} nodes`)
    const through = this.slots.find((s) => s.proc.exit === undefined && s.info !== undefined)
    const join = through?.info?.addrs[0]
    if (join === undefined) throw new JadfsError('CLUSTER_START_FAILED', 'no running node to join through')
    const deadline = Date.now() + this.settings.startTimeoutMs
    const slot = await this.launch(this.slots.length, ['--join', join])
    await this.awaitDaemonFile(slot, deadline, [slot])
    const peerId = slot.info?.peerId ?? ''
    await this.poll((view) => view.voters.includes(peerId) || view.learners.includes(peerId), Math.max(0, deadline - Date.now()), [slot])
    return toLocalNode(slot)
  }

  async waitFor (predicate: (view: ClusterView, node: LocalNode) => boolean, timeoutMs = this.settings.startTimeoutMs): Promise<ClusterView> {
    return await this.poll(predicate, timeoutMs, [])
  }

  detach (): void {
    for (const slot of this.slots) slot.proc.unref()
  }

  /** waitFor, failing early if one of the watched (starting) nodes exits */
  private async poll (predicate: (view: ClusterView, node: LocalNode) => boolean, timeoutMs: number, watched: readonly Slot[]): Promise<ClusterView> {
    const deadline = Date.now() + timeoutMs
    const last = new Map<number, string>()
    while (true) {
      await this.checkStarting(watched)
      const running = this.slots.filter((s) => s.proc.exit === undefined && s.info !== undefined)
      const answers = await Promise.all(running.map(async (slot) => ({ slot, probe: await probeCluster(slot.info?.apiUrl ?? '') })))
      for (const { slot, probe } of answers) {
        if (probe.ok && predicate(probe.view, toLocalNode(slot))) return probe.view
        last.set(slot.index, probe.ok ? summarizeView(probe.view) : probe.error)
      }
      if (Date.now() >= deadline) {
        const seen = [...last].map(([i, text]) => `node ${i}: ${text}`).join('; ')
        throw new JadfsError('TIMEOUT', `the cluster in ${this.dir} did not reach the expected state within ${formatSeconds(timeoutMs)}; last answers: ${seen === '' ? 'none (no node running)' : seen}`)
      }
      await sleep(POLL_INTERVAL_MS)
    }
  }

  private slot (index: number): Slot {
    const slot = this.slots[index]
    if (slot === undefined) throw new JadfsError('INVALID_ARGUMENT', `no node ${index}: the cluster has nodes 0..${this.slots.length - 1}`)
    return slot
  }

  private async launch (index: number, ownArgs: readonly string[]): Promise<Slot> {
    const dataDir = path.join(this.dir, `node${index}`)
    const partial = { index, dataDir, logFile: nodeLogFile(dataDir), ownArgs }
    const slot: Slot = { ...partial, proc: await this.spawn(partial), info: undefined }
    this.slots[index] = slot
    await this.record()
    return slot
  }

  private async spawn (slot: Pick<Slot, 'dataDir' | 'logFile' | 'ownArgs'>): Promise<DaemonProcess> {
    const args = [
      '--data-dir', slot.dataDir,
      '--api-listen', '127.0.0.1:0',
      '--listen', '/ip4/127.0.0.1/tcp/0',
      '--voters', String(this.settings.voters),
      '--log-level', 'info',
      ...slot.ownArgs,
      ...this.settings.daemonArgs
    ]
    return await spawnDaemon({ bin: this.settings.bin, dataDir: slot.dataDir, args, env: this.settings.env, logFile: slot.logFile })
  }

  /** SIGTERM, then SIGKILL after stopTimeoutMs; resolves with the exit */
  private async end (slot: Slot): Promise<ExitStatus> {
    const proc = slot.proc
    if (proc.exit === undefined) await terminate(proc.pid, () => proc.exit === undefined, this.settings.stopTimeoutMs)
    return await proc.exited
  }

  /** waits for daemon.json written by this very process (a killed one may have left its own) */
  private async awaitDaemonFile (slot: Slot, deadline: number, watched: readonly Slot[]): Promise<void> {
    while (true) {
      await this.checkStarting(watched)
      const info = await readDaemonFile(slot.dataDir)
      if (info !== undefined && info.pid === slot.proc.pid) {
        slot.info = info
        await this.record()
        return
      }
      if (Date.now() >= deadline) {
        throw await this.failure(slot, `did not write ${path.join(slot.dataDir, 'daemon.json')} within ${formatSeconds(this.settings.startTimeoutMs)}`)
      }
      await sleep(POLL_INTERVAL_MS)
    }
  }

  private async awaitFormed (first: Slot, deadline: number): Promise<void> {
    const peerIds = this.slots.map((s) => s.info?.peerId ?? '')
    const expectedVoters = expectedVoterCount(this.settings.voters, this.slots.length)
    let last: string
    let missing: readonly string[] = []
    while (true) {
      await this.checkStarting(this.slots)
      const probe = await probeCluster(first.info?.apiUrl ?? '')
      if (probe.ok) {
        const gap = formationGap(probe.view, peerIds, expectedVoters)
        if (gap === undefined) return
        last = `${gap.reason} (${summarizeView(probe.view)})`
        missing = gap.missing
      } else {
        last = `GET /v1/cluster failed: ${probe.error}`
      }
      if (Date.now() >= deadline) {
        const culprits = this.slots.filter((s) => missing.includes(s.info?.peerId ?? ''))
        const shown = culprits.length > 0 ? culprits.slice(0, 3) : [first]
        const names = shown.map((s) => `node ${s.index}`).join(', ')
        const tails = await Promise.all(shown.map(async (s) => `--- ${s.logFile} (node ${s.index}, last lines):\n${await logTail(s.logFile, LOG_TAIL_LINES)}`))
        throw new JadfsError('CLUSTER_START_FAILED', `the cluster did not form within ${formatSeconds(this.settings.startTimeoutMs)} (${names}): node 0 reports ${last}\n${tails.join('\n')}`)
      }
      await sleep(POLL_INTERVAL_MS)
    }
  }

  /** throws if the start was interrupted or one of the watched nodes has exited */
  private async checkStarting (watched: readonly Slot[]): Promise<void> {
    if (this.settings.signal?.aborted === true) throw new JadfsError('INTERRUPTED', 'interrupted; the nodes started so far are stopped')
    const gone = watched.find((s) => s.proc.exit !== undefined)
    if (gone?.proc.exit !== undefined) throw await this.failure(gone, `${describeExit(gone.proc.exit)} while starting`)
  }

  private async failure (slot: Slot, what: string): Promise<JadfsError> {
    return new JadfsError('CLUSTER_START_FAILED', `node ${slot.index} ${what}; its log ${slot.logFile} ends with:\n${await logTail(slot.logFile, LOG_TAIL_LINES)}`, {
      details: { index: slot.index, logFile: slot.logFile, exitCode: slot.proc.exit?.code ?? null }
    })
  }

  /** rewrites cluster.json; writes are queued, since nodes starting in parallel each record */
  private async record (): Promise<void> {
    const write = this.recorded.then(async () => {
      const nodes: ClusterFileNode[] = this.slots.map((s) => ({
        index: s.index,
        dataDir: s.dataDir,
        apiUrl: s.info?.apiUrl ?? null,
        peerId: s.info?.peerId ?? null,
        pid: s.proc.pid,
        addrs: s.info?.addrs ?? []
      }))
      await writeClusterFile(this.dir, { nodes })
    })
    this.recorded = write.catch(() => {})
    await write
  }
}

function toLocalNode (slot: Slot): LocalNode {
  const info = slot.info
  if (info === undefined) throw new JadfsError('CLUSTER_START_FAILED', `node ${slot.index} has not started yet (no daemon.json from pid ${slot.proc.pid})`)
  return { index: slot.index, dataDir: slot.dataDir, apiUrl: info.apiUrl, peerId: info.peerId, addrs: info.addrs, pid: slot.proc.pid, logFile: slot.logFile }
}

function formatSeconds (ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`
}
