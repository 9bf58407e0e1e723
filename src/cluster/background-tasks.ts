// A peer's periodic housekeeping, each started with the function that stops it: this node's
// disk figures for heartbeats and placement, garbage collection of released chunks, and the
// scrub that re-hashes every local copy and heals a bad one from a peer.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChunkRef, NodeStatus } from '../files/file-service.js'
import type { LocalFileServiceWithNamespace } from '../files/local-file-service.js'
import type { Logger } from '../log/logger.js'
import { READ_PIECE_BYTES } from '../store/chunk-verify.js'
import { Scrubber } from './scrubber.js'

/** the scrub's pace: a 64 MiB chunk a second at most */
const SCRUB_BYTES_PER_SECOND = 64 * 1000 * 1000

type Stop = () => Promise<void> | void

/** reads files.status() now and every intervalMs; `latest` is undefined until one succeeds */
export async function startStatusRefresh (files: LocalFileServiceWithNamespace, intervalMs: number, logger: Logger): Promise<{ latest: () => NodeStatus | undefined, stop: Stop }> {
  let last: NodeStatus | undefined
  const refresh = async (): Promise<void> => {
    try {
      last = await files.status()
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not read this node\'s disk usage')
    }
  }
  await refresh()
  const timer = setInterval(() => { void refresh() }, intervalMs)
  timer.unref()
  return { latest: () => last, stop: () => { clearInterval(timer) } }
}

/** deletes and overwrites release chunks on every peer; each peer collects its own */
export function startScheduledGc (files: LocalFileServiceWithNamespace, intervalMs: number, logger: Logger): Stop {
  const timer = setInterval(() => {
    files.collectGarbage().catch((err: Error) => { logger.warn({ err: err.message }, 'scheduled garbage collection failed') })
  }, intervalMs)
  timer.unref()
  return () => { clearInterval(timer) }
}

/** bit rot on copies nobody reads is found by a pass every intervalMs and healed from a peer */
export function startScrubLoop (files: LocalFileServiceWithNamespace, heal: (chunk: ChunkRef) => Promise<void>, intervalMs: number, logger: Logger): Stop {
  const stopping = new AbortController()
  // the scrub checks one chunk at a time, so one read buffer serves the whole pass
  const scratch = Buffer.allocUnsafe(READ_PIECE_BYTES)
  const scrubber = new Scrubber({
    localChunks: () => files.chunkIndex.local(),
    verify: async (cid, sizeBytes) => {
      const handle = await files.chunkStore.openVerified(cid, sizeBytes, scratch)
      await handle.close()
    },
    heal,
    sleep: async (ms, signal) => { await sleep(ms, undefined, { signal }) },
    signal: stopping.signal,
    bytesPerSecond: SCRUB_BYTES_PER_SECOND,
    logger
  })
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(intervalMs, undefined, { signal: stopping.signal }).catch(() => {})
      if (stopping.signal.aborted) break
      await scrubber.scrubOnce().catch((err: Error) => { if (!stopping.signal.aborted) logger.warn({ err: err.message }, 'scrub pass failed') })
    }
  })()
  return async () => {
    stopping.abort()
    await loop
  }
}
