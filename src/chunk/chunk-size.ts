// Chunk size bounds. Below 64 KiB the per-chunk costs (a file, an fsync, a SQLite row, a DHT
// record later) dominate; above 256 MiB a single lost chunk costs too much to re-replicate.
import { JadfsError } from '../errors.js'

export const KIB = 1024
export const MIB = 1024 * KIB

export const MIN_CHUNK_SIZE_BYTES = 64 * KIB
export const MAX_CHUNK_SIZE_BYTES = 256 * MIB
export const DEFAULT_CHUNK_SIZE_BYTES = 64 * MIB

/** returns the value if it is an integer in [64 KiB, 256 MiB], else throws INVALID_ARGUMENT */
export function validateChunkSizeBytes (value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) ||
      value < MIN_CHUNK_SIZE_BYTES || value > MAX_CHUNK_SIZE_BYTES) {
    throw new JadfsError('INVALID_ARGUMENT',
      `chunk size must be an integer number of bytes from ${MIN_CHUNK_SIZE_BYTES} (64 KiB) to ${MAX_CHUNK_SIZE_BYTES} (256 MiB), got ${String(value)}`,
      { details: { chunkSizeBytes: value, minBytes: MIN_CHUNK_SIZE_BYTES, maxBytes: MAX_CHUNK_SIZE_BYTES } })
  }
  return value
}
