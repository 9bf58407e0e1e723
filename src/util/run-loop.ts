// Runs an async step again and again, intervalMs after the previous one ended, never two at
// once — a step that overruns the interval delays the next instead of piling up beside it.
// stop() aborts the signal the running step was given and waits for that step to return, so
// when stop() resolves nothing of the loop is left running. The cluster's background workers
// (replicator, provide scheduler) keep their logic in a step their tests call directly and
// use this only for the timing; so does the p2p host's gossip link repair.
import { assert } from './assert.js'

export type LoopStep = (signal: AbortSignal) => Promise<unknown>

export class RunLoop {
  private controller: AbortController | undefined
  private done: Promise<void> | undefined

  constructor (
    private readonly step: LoopStep,
    private readonly onError: (err: unknown) => void
  ) {}

  start (intervalMs: number): void {
    assert(this.controller === undefined, 'RunLoop started twice')
    assert(Number.isFinite(intervalMs) && intervalMs > 0, 'RunLoop interval must be positive', { intervalMs })
    const controller = new AbortController()
    this.controller = controller
    this.done = this.loop(intervalMs, controller.signal)
  }

  /** Aborts the running step, waits for it, and ends the loop. Safe to call when not started. */
  async stop (): Promise<void> {
    const controller = this.controller
    const done = this.done
    if (controller === undefined || done === undefined) return
    controller.abort()
    await done
    this.controller = undefined
    this.done = undefined
  }

  get running (): boolean {
    return this.controller !== undefined
  }

  private async loop (intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.step(signal)
      } catch (err) {
        if (!signal.aborted) this.onError(err)
      }
      await sleep(intervalMs, signal)
    }
  }
}

/** Resolves after ms, or at once when the signal aborts; never rejects. */
function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const timer = setTimeout(done, ms)
    // a background loop alone must not keep a process alive
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
