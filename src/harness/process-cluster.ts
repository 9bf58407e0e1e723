// The cluster startLocalCluster returns: one slot per node (its current process and what its
// daemon.json said), the waits of a start (daemon.json from the child's own pid, then the cluster
// formed), and the failures, each naming the node and showing the end of its log.
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ClusterView } from '../api/cluster-view.js'
import { JadfsError } from '../errors.js'
import { writeClusterFile, type ClusterFileNode } from './cluster-file.js'
import { expectedVoterCount, formationGap, summarizeView } from './cluster-formed.js'
import { probeCluster } from './cluster-probe.js'
import { readDaemonFile, type DaemonFile } from './daemon-file.js'
import { describeExit, nodeLogFile, spawnDaemon, type DaemonProcess, type ExitStatus } from './daemon-process.js'
import { MAX_NODES } from './limits.js'
import type { LocalCluster, LocalNode } from './local-cluster.js'
import { logTail } from './log-tail.js'
import { signalGroup, terminate, waitUntilGone } from './process-control.js'

const ANY_API_PORT = '127.0.0.1:0'
const ANY_PEER_PORT = '/ip4/127.0.0.1/tcp/0'
const POLL_INTERVAL_MS = 100
const LOG_TAIL_LINES = 15
/** signals after which kill() waits for the process to exit (the others, e.g. SIGSTOP, do not end it) */
const ENDING_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGABRT'])

export interface Settings {
  readonly dir: string
  readonly voters: number
  readonly daemonArgs: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly startTimeoutMs: number
  readonly stopTimeoutMs: number
  readonly bin: string
  readonly signal: AbortSignal | undefined
  /** the token the daemons require (their --api-token-file), for the harness's own requests */
  readonly apiToken: string | undefined
}

interface Slot {
  readonly index: number
  readonly dataDir: string
  readonly logFile: string
  /** the flags particular to this node (--join), kept for restarts */
  readonly ownArgs: readonly string[]
  /** port 0 at first; then the ports it got, so that a restart keeps its API URL and peer address */
  apiListen: string
  listen: string
  proc: DaemonProcess
  info: DaemonFile | undefined
}

export class ProcessCluster implements LocalCluster {
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
    // Through every running node: any of them may be the one that is down by the time it dials.
    const join = this.slots.filter((s) => s.proc.exit === undefined).flatMap((s) => s.info?.addrs.slice(0, 1) ?? [])
    if (join.length === 0) throw new JadfsError('CLUSTER_START_FAILED', 'no running node to join through')
    const deadline = Date.now() + this.settings.startTimeoutMs
    const slot = await this.launch(this.slots.length, ['--join', ...join])
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
      const answers = await Promise.all(running.map(async (slot) => ({ slot, probe: await probeCluster(slot.info?.apiUrl ?? '', this.settings.apiToken) })))
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
    const partial = { index, dataDir, logFile: nodeLogFile(dataDir), ownArgs, apiListen: ANY_API_PORT, listen: ANY_PEER_PORT }
    const slot: Slot = { ...partial, proc: await this.spawn(partial), info: undefined }
    this.slots[index] = slot
    await this.record()
    return slot
  }

  private async spawn (slot: Pick<Slot, 'dataDir' | 'logFile' | 'ownArgs' | 'apiListen' | 'listen'>): Promise<DaemonProcess> {
    const args = [
      '--data-dir', slot.dataDir,
      '--api-listen', slot.apiListen,
      '--listen', slot.listen,
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
        pinPorts(slot, info)
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
      const probe = await probeCluster(first.info?.apiUrl ?? '', this.settings.apiToken)
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

/** a restarted node listens where it did before, as a restarted machine would */
function pinPorts (slot: Slot, info: DaemonFile): void {
  const apiPort = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(info.apiUrl)?.[1]
  if (apiPort !== undefined) slot.apiListen = `127.0.0.1:${apiPort}`
  const peerPort = info.addrs.map((a) => /^\/ip4\/127\.0\.0\.1\/tcp\/(\d+)\//.exec(a)?.[1]).find((p) => p !== undefined)
  if (peerPort !== undefined) slot.listen = `/ip4/127.0.0.1/tcp/${peerPort}`
}

function toLocalNode (slot: Slot): LocalNode {
  const info = slot.info
  if (info === undefined) throw new JadfsError('CLUSTER_START_FAILED', `node ${slot.index} has not started yet (no daemon.json from pid ${slot.proc.pid})`)
  return { index: slot.index, dataDir: slot.dataDir, apiUrl: info.apiUrl, peerId: info.peerId, addrs: info.addrs, pid: slot.proc.pid, logFile: slot.logFile }
}

function formatSeconds (ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`
}
