// A warning about something a peer can make happen as often as it likes (refused streams,
// refused records): logged at most once per interval, with how many there were since the
// last one, so a peer doing it in a loop cannot flood the log yet nothing goes uncounted.
import { assert } from './assert.js'

export class ThrottledWarning {
  private lastWarnMs: number | undefined
  private sinceWarn = 0

  /** nowMs is injectable so tests can step the clock across the interval */
  constructor (private readonly intervalMs: number, private readonly nowMs: () => number = Date.now) {
    assert(Number.isSafeInteger(intervalMs) && intervalMs > 0, 'a warning interval must be a positive integer of ms', { intervalMs })
  }

  /**
   * Counts one occurrence. When a warning is due (the first occurrence, or intervalMs or more
   * after the last warning), returns how many occurrences it covers, this one included: log
   * then. Otherwise returns undefined: log nothing.
   */
  record (): number | undefined {
    this.sinceWarn++
    const now = this.nowMs()
    if (this.lastWarnMs !== undefined && now - this.lastWarnMs < this.intervalMs) return undefined
    this.lastWarnMs = now
    const covered = this.sinceWarn
    this.sinceWarn = 0
    return covered
  }
}
