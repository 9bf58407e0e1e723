// Validation of caller-supplied put options. These come from HTTP headers and query strings,
// so every bad value is INVALID_ARGUMENT with the value and the accepted range.
import { validateChunkSizeBytes } from '../chunk/chunk-size.js'
import { JadfsError } from '../errors.js'
import type { PutFileOptions, ReplicationPolicy } from './file-service.js'
import { MAX_REPLICATION_FACTOR } from './replication-limit.js'

export const DEFAULT_REPLICATION: ReplicationPolicy = { factor: 3, mode: 'sync' }

export interface ResolvedPutOptions {
  readonly chunkSizeBytes: number
  readonly replication: ReplicationPolicy
  readonly expectedSizeBytes: number | undefined
  readonly expectedSha256: string | undefined
  readonly ifVersion: number | undefined
}

export function resolvePutOptions (options: PutFileOptions, defaultChunkSizeBytes: number, defaultFactor: number = DEFAULT_REPLICATION.factor): ResolvedPutOptions {
  const factor = options.replication?.factor ?? defaultFactor
  if (!Number.isSafeInteger(factor) || factor < 1 || factor > MAX_REPLICATION_FACTOR) {
    throw new JadfsError('INVALID_ARGUMENT', `replication factor must be an integer from 1 to ${MAX_REPLICATION_FACTOR}, got ${String(factor)}`)
  }
  const mode = options.replication?.mode ?? DEFAULT_REPLICATION.mode
  if (mode !== 'sync' && mode !== 'async') {
    throw new JadfsError('INVALID_ARGUMENT', `replication mode must be "sync" or "async", got ${JSON.stringify(mode)}`)
  }
  let expectedSha256 = options.expectedSha256
  if (expectedSha256 !== undefined) {
    if (typeof expectedSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(expectedSha256)) {
      throw new JadfsError('INVALID_ARGUMENT', `expected SHA-256 must be 64 hex characters, got ${JSON.stringify(expectedSha256)}`)
    }
    expectedSha256 = expectedSha256.toLowerCase()
  }
  return {
    chunkSizeBytes: validateChunkSizeBytes(options.chunkSizeBytes ?? defaultChunkSizeBytes),
    replication: { factor, mode },
    expectedSizeBytes: optionalCount(options.expectedSizeBytes, 'expected size'),
    expectedSha256,
    ifVersion: optionalCount(options.ifVersion, 'ifVersion')
  }
}

export function optionalCount (value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new JadfsError('INVALID_ARGUMENT', `${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}
