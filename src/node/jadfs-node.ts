// The composition root of one daemon: starts the cluster peer (or, in API tests, a single-node
// file service), builds the API and metrics around it, writes daemon.json, listens, and stops in the reverse order (stop accepting, let in-flight
// requests finish within a bounded wait, then close the file service).
import { mkdir, rm, stat } from 'node:fs/promises'
import { readDiskSpace } from '../store/disk-space.js'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { buildApiApp } from '../api/app.js'
import { readApiToken } from '../api/api-token.js'
import type { DaemonConfig } from '../config/daemon-config.js'
import { formatListenAddress } from '../config/listen-address.js'
import { formatBytes } from '../config/parse-size.js'
import { JadfsError } from '../errors.js'
import type { LocalFileService, LocalFileServiceInit } from '../files/file-service.js'
import { startClusterNode } from '../cluster/cluster-node.js'
import type { ClusterNode } from '../cluster/cluster-node.js'
import type { Logger } from '../log/logger.js'
import { registerClusterGauges } from '../metrics/cluster-gauges.js'
import { registerStatusGauges } from '../metrics/status-gauges.js'
import { closeWithin } from './close-within.js'
import { RUN_FILE_NAME, writeRunFile } from './run-file.js'

export interface JadfsNodeComponents {
  readonly logger: Logger
  readonly version: string
  /** a single-node storage engine instead of a cluster peer (tests of the API and CLI) */
  readonly openFileService?: (init: LocalFileServiceInit) => Promise<LocalFileService>
}

export interface JadfsNode {
  /** base URL of the API, e.g. http://127.0.0.1:5080 (the real port when 0 was asked for) */
  readonly apiUrl: string
  /** this peer's id; undefined for a single-node engine */
  readonly peerId: string | undefined
  stop (): Promise<void>
}

/** what an operator should hear at start: a disk already under the reserve, a token file others can read */
async function warnAboutSetup (config: DaemonConfig, logger: Logger): Promise<void> {
  // the free space alone: status() would also total every file and chunk row
  const freeBytes = await readDiskSpace(config.dataDir).then((disk) => disk.freeBytes, () => undefined)
  if (freeBytes !== undefined && config.reservedFreeBytes > 0 && freeBytes <= config.reservedFreeBytes) {
    logger.warn({ diskFreeBytes: freeBytes, reservedFreeBytes: config.reservedFreeBytes },
      `the data dir has ${formatBytes(freeBytes)} free, no more than --reserve ${formatBytes(config.reservedFreeBytes)}: this peer stores no chunks (puts, copies, reads through it) until space is freed or the reserve lowered`)
  }
  if (config.apiTokenFile !== null) {
    const mode = await stat(config.apiTokenFile).then((s) => s.mode, () => 0)
    if ((mode & 0o077) !== 0) logger.warn({ apiTokenFile: config.apiTokenFile }, `the API token file ${config.apiTokenFile} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`)
  }
}

export async function startJadfsNode (config: DaemonConfig, components: JadfsNodeComponents): Promise<JadfsNode> {
  const { logger } = components
  // read first: a refused token file stops the daemon before it touches the data dir
  const apiToken = config.apiTokenFile === null ? undefined : readApiToken(config.apiTokenFile, '--api-token-file')
  let cluster: ClusterNode | undefined
  let files: LocalFileService
  if (components.openFileService !== undefined) {
    files = await components.openFileService({
      dataDir: config.dataDir,
      chunkSizeBytes: config.chunkSizeBytes,
      gcGraceMs: config.gcGraceMs,
      maxFileSizeBytes: config.maxFileSizeBytes,
      reservedFreeBytes: config.reservedFreeBytes,
      version: components.version,
      logger: logger.child({ component: 'files' })
    })
  } else {
    await mkdir(config.dataDir, { recursive: true })
    cluster = await startClusterNode({ config, version: components.version, logger })
    files = cluster.files
  }
  const closeEngine = async (): Promise<void> => { await (cluster === undefined ? files.close() : cluster.stop()) }

  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'jadfs_process_' })
  registerStatusGauges(registry, files)
  if (cluster !== undefined) registerClusterGauges(registry, { view: cluster.control.view, dhtProviders: cluster.dhtProviderStats })
  const app = buildApiApp({
    files,
    logger: logger.child({ component: 'api' }),
    metricsRegistry: registry,
    maxFileSizeBytes: config.maxFileSizeBytes,
    clientIdleTimeoutMs: config.clientIdleTimeoutMs,
    ...(cluster === undefined ? {} : { cluster: cluster.control }),
    ...(apiToken === undefined ? {} : { apiToken })
  })

  // before listening: whoever waits for the API to answer has seen them
  await warnAboutSetup(config, logger)
  try {
    await app.listen({ host: config.apiListen.host, port: config.apiListen.port })
  } catch (err) {
    await app.close().catch(() => {})
    await closeEngine()
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EADDRNOTAVAIL' ? 'no such local address' : code === 'EACCES' ? 'permission denied' : String(err)
    throw new JadfsError('INVALID_CONFIG', `cannot listen on ${formatListenAddress(config.apiListen)} (--api-listen): ${reason}`, { cause: err })
  }
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const apiUrl = `http://${host}:${address.port}`
  cluster?.setApiUrl(apiUrl)
  const runFile = join(config.dataDir, RUN_FILE_NAME)
  if (cluster !== undefined) {
    await writeRunFile(runFile, { pid: process.pid, apiUrl, peerId: cluster.peerId, addrs: cluster.addrs(), version: components.version, startedAtMs: Date.now() })
  }
  logger.info({ apiUrl, apiToken: apiToken === undefined ? 'none' : 'required', peerId: cluster?.peerId, addrs: cluster?.addrs(), dataDir: config.dataDir, chunkSizeBytes: config.chunkSizeBytes, gcGraceMs: config.gcGraceMs, version: components.version }, 'jadfs daemon listening')

  let stopping: Promise<void> | undefined
  return {
    apiUrl,
    peerId: cluster?.peerId,
    stop: async () => {
      stopping ??= (async () => {
        const startedAtMs = Date.now()
        const drained = await closeWithin(app, config.shutdownGraceMs)
        if (!drained) logger.warn({ shutdownGraceMs: config.shutdownGraceMs }, 'in-flight requests did not finish in time; their connections were closed')
        await closeEngine()
        if (cluster !== undefined) await rm(runFile, { force: true }).catch(() => {})
        logger.info({ durationMs: Date.now() - startedAtMs }, 'jadfs daemon stopped')
      })()
      await stopping
    }
  }
}
