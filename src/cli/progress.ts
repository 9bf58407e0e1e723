// A progress bar with bytes and throughput for put/get, drawn on stderr only when it is a
// terminal: piped or redirected output gets no bar and no control characters.
import cliProgress from 'cli-progress'
import { formatBytes } from '../config/parse-size.js'
import type { CliIo } from './cli-io.js'

export interface Progress {
  add (bytes: number): void
  stop (): void
}

const NO_PROGRESS: Progress = { add () {}, stop () {} }

export function startProgress (io: CliIo, label: string, totalBytes: number | undefined, enabled: boolean): Progress {
  if (!enabled || io.stderr.isTTY !== true) return NO_PROGRESS
  const startedAtMs = Date.now()
  let doneBytes = 0
  const bar = new cliProgress.SingleBar({
    stream: io.stderr,
    format: `${label} {bar} {percentage}% | {doneText} / {totalText} | {rate}`,
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    barsize: 30
  }, cliProgress.Presets.shades_classic)
  const payload = (): Record<string, string> => {
    const seconds = Math.max((Date.now() - startedAtMs) / 1000, 0.001)
    return { doneText: formatBytes(doneBytes), totalText: totalBytes === undefined ? '?' : formatBytes(totalBytes), rate: `${formatBytes(Math.round(doneBytes / seconds))}/s` }
  }
  bar.start(totalBytes ?? 0, 0, payload())
  return {
    add (bytes) {
      doneBytes += bytes
      if (totalBytes === undefined) bar.setTotal(doneBytes)
      bar.update(doneBytes, payload())
    },
    stop () {
      bar.update(doneBytes, payload())
      bar.stop()
    }
  }
}
