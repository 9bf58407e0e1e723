// The cluster section of `npm run bench`, on local daemon processes: the libp2p stream
// ceiling (two of our processes, one stream; also with a cluster key, for information), then
// a put with replication 3 (sync) through one of three peers, then a get of it through a
// fourth peer that joined after the put and holds none of its chunks, with peak RSS per
// daemon and the CPU time each operation took. Figures are medians over rounds and ratios to
// the ceiling measured in the same run; the targets are get ≥ 0.6 and put ≥ 0.35 of
// the ceiling, RSS under 256 MiB per daemon.
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { startLocalCluster, type LocalCluster } from '../src/harness/local-cluster.js'
import { newClusterKey } from '../src/p2p/cluster-key.js'
import { writeRandomFile } from '../test/helpers/random-file.js'
import { mbPerSecond } from './ceilings.js'
import { discardDownload, uploadFile } from './http-transfer.js'
import { startCpuMeter, type CpuReading } from './cpu-meter.js'
import { sampleRss, type RssSampler } from './rss-sampler.js'
import { median, round1 } from './single-node-bench.js'
import { measureStreamCeilingMBps } from './stream-ceiling.js'

export const CLUSTER_GET_TARGET_RATIO = 0.6
export const CLUSTER_PUT_TARGET_RATIO = 0.35
export const CLUSTER_RSS_TARGET_BYTES = 256 * 1024 * 1024

export interface ClusterBenchOptions {
  readonly dir: string
  readonly sizeBytes: number
  readonly chunkSize: string
  readonly rounds: number
  readonly log: (line: string) => void
}

export async function runClusterBench (options: ClusterBenchOptions): Promise<Record<string, number | string>> {
  const { dir, sizeBytes, rounds, log } = options
  const source = path.join(dir, 'source.bin')
  log(`writing a ${sizeBytes} byte source file`)
  const sourceSha256 = await writeRandomFile(source, sizeBytes)
  const runs = { ceilingMBps: [] as number[], keyedCeilingMBps: [] as number[], putMBps: [] as number[], getMBps: [] as number[] }
  const clusterKey = newClusterKey()
  const cpu = { ceiling: [] as CpuReading[], put: [] as CpuReading[], get: [] as CpuReading[] }
  const peakRss = new Map<string, number>()
  try {
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}: libp2p stream ceiling`)
      const ceilingCpu = startCpuMeter({})
      runs.ceilingMBps.push(await measureStreamCeilingMBps(sizeBytes))
      cpu.ceiling.push(ceilingCpu.stop())
      log(`round ${round}/${rounds}: the same with a cluster key`)
      runs.keyedCeilingMBps.push(await measureStreamCeilingMBps(sizeBytes, clusterKey))
      const clusterDir = path.join(dir, `cluster-${round}`)
      log(`round ${round}/${rounds}: starting 3 daemons`)
      const cluster = await startLocalCluster({ nodes: 3, dir: clusterDir, daemonArgs: ['--log-level', 'warn', '--chunk-size', options.chunkSize] })
      const samplers: Array<{ key: string, rss: RssSampler }> = cluster.nodes.map((n) => ({ key: `node${n.index}`, rss: sampleRss(n.pid) }))
      try {
        log(`round ${round}/${rounds}: put, replication 3 (sync), through node 0`)
        const url = `${cluster.nodes[0]!.apiUrl}/v1/files/bench.bin?replication=3&mode=sync`
        const pids: Record<string, number> = Object.fromEntries(cluster.nodes.map((n) => [`node${n.index}`, n.pid]))
        const putCpu = startCpuMeter({ ...pids, client: process.pid })
        let started = performance.now()
        const put = await uploadFile(url, source, sizeBytes)
        runs.putMBps.push(mbPerSecond(sizeBytes, performance.now() - started))
        cpu.put.push(putCpu.stop())
        const record = JSON.parse(put.body) as { sha256?: string, chunks?: Array<{ cid: string }> }
        if (put.status !== 201 || record.sha256 !== sourceSha256) throw new Error(`put failed: ${put.status} ${put.body.slice(0, 300)}`)
        await checkThreeCopies(cluster, (record.chunks ?? []).map((c) => c.cid))

        log(`round ${round}/${rounds}: a fourth peer joins and gets the file`)
        const fourth = await cluster.addNode()
        samplers.push({ key: 'node3', rss: sampleRss(fourth.pid) })
        await cluster.waitFor((v) => v.learners.includes(fourth.peerId) || v.voters.includes(fourth.peerId))
        if ((await chunkFiles(fourth.dataDir)).length > 0) throw new Error('the fourth peer holds chunks before the get')
        const getCpu = startCpuMeter({ ...pids, node3: fourth.pid, client: process.pid })
        started = performance.now()
        const got = await discardDownload(`${fourth.apiUrl}/v1/files/bench.bin`)
        runs.getMBps.push(mbPerSecond(sizeBytes, performance.now() - started))
        cpu.get.push(getCpu.stop())
        if (got !== sizeBytes) throw new Error(`get returned ${got} of ${sizeBytes} bytes`)
        for (const s of samplers) peakRss.set(s.key, Math.max(peakRss.get(s.key) ?? 0, await s.rss.peakBytes()))
      } finally {
        for (const s of samplers) s.rss.stop()
        await cluster.stop()
        await rm(clusterDir, { recursive: true, force: true })
      }
    }
  } finally {
    await rm(source, { force: true })
  }
  const ceiling = median(runs.ceilingMBps)
  const put = median(runs.putMBps)
  const get = median(runs.getMBps)
  const worstRss = Math.max(...peakRss.values())
  // CPU time per byte, whole machine: busy cores / throughput, relative to the ceiling's
  const busy = (readings: CpuReading[]): number => median(readings.map((r) => r.machineBusyCores))
  const coreSecondsPerGB = (readings: CpuReading[], mbps: number): number => round1(1000 * busy(readings) / mbps, 2)
  const perProcess = (readings: CpuReading[]): string => Object.entries(readings[readings.length - 1]?.processCores ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')
  return {
    sizeBytes,
    chunkSize: options.chunkSize,
    rounds,
    statistic: 'median',
    streamCeilingMBps: round1(ceiling),
    streamCeilingRunsMBps: runs.ceilingMBps.map((v) => round1(v)).join(' '),
    streamCeilingWithClusterKeyMBps: round1(median(runs.keyedCeilingMBps)),
    putRep3SyncMBps: round1(put),
    putRunsMBps: runs.putMBps.map((v) => round1(v)).join(' '),
    remoteGetMBps: round1(get),
    getRunsMBps: runs.getMBps.map((v) => round1(v)).join(' '),
    putRatio: round1(put / ceiling, 3),
    putTargetRatio: CLUSTER_PUT_TARGET_RATIO,
    putVerdict: put / ceiling >= CLUSTER_PUT_TARGET_RATIO ? 'pass' : 'FAIL',
    getRatio: round1(get / ceiling, 3),
    getTargetRatio: CLUSTER_GET_TARGET_RATIO,
    getVerdict: get / ceiling >= CLUSTER_GET_TARGET_RATIO ? 'pass' : 'FAIL',
    ceilingBusyCores: busy(cpu.ceiling),
    putBusyCores: busy(cpu.put),
    getBusyCores: busy(cpu.get),
    ceilingCoreSecondsPerGB: coreSecondsPerGB(cpu.ceiling, ceiling),
    putCoreSecondsPerGB: coreSecondsPerGB(cpu.put, put),
    getCoreSecondsPerGB: coreSecondsPerGB(cpu.get, get),
    putCpuCostVsCeiling: round1((busy(cpu.put) / put) / (busy(cpu.ceiling) / ceiling), 2),
    getCpuCostVsCeiling: round1((busy(cpu.get) / get) / (busy(cpu.ceiling) / ceiling), 2),
    putCoresByProcess: perProcess(cpu.put),
    getCoresByProcess: perProcess(cpu.get),
    ...Object.fromEntries([...peakRss].sort().map(([key, bytes]) => [`peakRssMiB_${key}`, round1(bytes / 1024 / 1024)])),
    rssTargetMiB: CLUSTER_RSS_TARGET_BYTES / 1024 / 1024,
    rssVerdict: worstRss < CLUSTER_RSS_TARGET_BYTES ? 'pass' : 'FAIL'
  }
}

async function chunkFiles (dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'chunks')
  const out: string[] = []
  for (const fan of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(root, fan)).catch(() => [] as string[])) out.push(name)
  }
  return out
}

/** the put is only a fair figure if it really made three copies */
async function checkThreeCopies (cluster: LocalCluster, cids: readonly string[]): Promise<void> {
  const held = await Promise.all(cluster.nodes.map(async (n) => new Set(await chunkFiles(n.dataDir))))
  for (const cid of cids) {
    const copies = held.filter((set) => set.has(cid)).length
    if (copies < 3) throw new Error(`chunk ${cid} has ${copies} copies after a replication 3 sync put`)
  }
}
