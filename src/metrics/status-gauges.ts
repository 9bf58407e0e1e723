// Gauges that read the node's statistics when Prometheus scrapes, so they are never stale
// and nothing polls in the background.
import { Gauge, type Registry } from 'prom-client'
import type { FileService, NodeStatus } from '../files/file-service.js'
import { perScrape } from './per-scrape.js'

const GAUGES: ReadonlyArray<{ readonly name: string, readonly help: string, readonly field: keyof NodeStatus }> = [
  { name: 'jadfs_files', help: 'Files in the namespace', field: 'files' },
  { name: 'jadfs_logical_bytes', help: 'Sum of file sizes as users see them', field: 'logicalBytes' },
  { name: 'jadfs_physical_bytes', help: 'Bytes of distinct chunk files on disk', field: 'physicalBytes' },
  { name: 'jadfs_chunks', help: 'Distinct chunks stored', field: 'chunks' },
  { name: 'jadfs_bad_chunks', help: 'Chunks that failed their hash check', field: 'badChunks' },
  { name: 'jadfs_cached_chunks', help: 'Chunks held only as cached copies fetched for reads (evicted when unread)', field: 'cachedChunks' },
  { name: 'jadfs_disk_free_bytes', help: 'Free bytes on the data directory filesystem', field: 'diskFreeBytes' },
  { name: 'jadfs_disk_total_bytes', help: 'Size of the data directory filesystem', field: 'diskTotalBytes' },
  { name: 'jadfs_namespace_bytes', help: 'Bytes the files take in a namespace snapshot', field: 'namespaceBytes' },
  { name: 'jadfs_namespace_limit_bytes', help: 'Most bytes the files may take in a namespace snapshot; puts past it fail NAMESPACE_FULL', field: 'namespaceLimitBytes' },
  { name: 'jadfs_applied_index', help: 'Index of the last namespace command applied', field: 'appliedIndex' },
  { name: 'jadfs_uptime_seconds', help: 'Seconds since the file service opened', field: 'uptimeMs' }
]

export function registerStatusGauges (registry: Registry, files: Pick<FileService, 'status'>): void {
  const current = perScrape(async (): Promise<NodeStatus> => await files.status())
  for (const gauge of GAUGES) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      registers: [registry],
      async collect () {
        const status = await current()
        const value = Number(status[gauge.field])
        this.set(gauge.field === 'uptimeMs' ? value / 1000 : value)
      }
    })
  }
}
