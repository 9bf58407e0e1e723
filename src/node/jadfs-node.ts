// The composition root of one daemon: opens the file service, builds the API and metrics
// around it, listens, and stops in the reverse order (stop accepting, let in-flight
// requests finish within a bounded wait, then close the file service).
import type { AddressInfo } from 'node:net'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { buildApiApp } from '../api/app.js'
import type { DaemonConfig } from '../config/daemon-config.js'
import { formatListenAddress } from '../config/listen-address.js'
import { JadfsError } from '../errors.js'
import type { LocalFileService, LocalFileServiceInit } from '../files/file-service.js'
import { openLocalFileService } from '../files/local-file-service.js'
import type { Logger } from '../log/logger.js'
import { registerStatusGauges } from '../metrics/status-gauges.js'
import { closeWithin } from './close-within.js'

export interface JadfsNodeComponents {
  readonly logger: Logger
  readonly version: string
  /** the storage engine; defaults to the single-node local file service */
  readonly openFileService?: (init: LocalFileServiceInit) => Promise<LocalFileService>
}

export interface JadfsNode {
  /** base URL of the API, e.g. http://127.0.0.1:5080 (the real port when 0 was asked for) */
  readonly apiUrl: string
  stop (): Promise<void>
}

export async function startJadfsNode (config: DaemonConfig, components: JadfsNodeComponents): Promise<JadfsNode> {
  const { logger } = components
  const open = components.openFileService ?? openLocalFileService
  const files = await open({
    dataDir: config.dataDir,
    chunkSizeBytes: config.chunkSizeBytes,
    gcGraceMs: config.gcGraceMs,
    maxFileSizeBytes: config.maxFileSizeBytes,
    version: components.version,
    logger: logger.child({ component: 'files' })
  })

  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'jadfs_process_' })
  registerStatusGauges(registry, files)
  const app = buildApiApp({
    files,
    logger: logger.child({ component: 'api' }),
    metricsRegistry: registry,
    maxFileSizeBytes: config.maxFileSizeBytes
  })

  try {
    await app.listen({ host: config.apiListen.host, port: config.apiListen.port })
  } catch (err) {
    await app.close().catch(() => {})
    await files.close()
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EADDRNOTAVAIL' ? 'no such local address' : code === 'EACCES' ? 'permission denied' : String(err)
    throw new JadfsError('INVALID_CONFIG', `cannot listen on ${formatListenAddress(config.apiListen)} (--api-listen): ${reason}`, { cause: err })
  }
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const apiUrl = `http://${host}:${address.port}`
  logger.info({ apiUrl, dataDir: config.dataDir, chunkSizeBytes: config.chunkSizeBytes, gcGraceMs: config.gcGraceMs, version: components.version }, 'jadfs daemon listening')

  let stopping: Promise<void> | undefined
  return {
    apiUrl,
    stop: async () => {
      stopping ??= (async () => {
        const startedAtMs = Date.now()
        const drained = await closeWithin(app, config.shutdownGraceMs)
        if (!drained) logger.warn({ shutdownGraceMs: config.shutdownGraceMs }, 'in-flight requests did not finish in time; their connections were closed')
        await files.close()
        logger.info({ durationMs: Date.now() - startedAtMs }, 'jadfs daemon stopped')
      })()
      await stopping
    }
  }
}
