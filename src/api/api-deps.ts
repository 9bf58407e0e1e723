// What the routes need, injected by the app factory.
import type { FileService } from '../files/file-service.js'
import type { ApiMetrics } from '../metrics/api-metrics.js'

export interface ApiDeps {
  readonly files: FileService
  readonly metrics: ApiMetrics
  readonly maxFileSizeBytes: number
  /** how long a client may send nothing mid-upload or take nothing mid-download */
  readonly clientIdleTimeoutMs: number
}
