// Deadlines and cancellation for protocol work. Every wait on a peer is bounded: a deadline
// is a signal that aborts with a TIMEOUT JadfsError after timeoutMs, or with the reason of
// any parent signal (the caller's, or the host's, which aborts on stop).
import { JadfsError } from '../../errors.js'
import { assert } from '../../util/assert.js'

export interface Deadline {
  readonly signal: AbortSignal
  /** Stops the timer and detaches from the parents; call it in `finally`. */
  clear: () => void
}

export function startDeadline (timeoutMs: number, what: string, parents: ReadonlyArray<AbortSignal | undefined> = []): Deadline {
  assert(Number.isFinite(timeoutMs) && timeoutMs > 0, 'a deadline needs a positive timeoutMs', { timeoutMs, what })
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new JadfsError('TIMEOUT', `${what} did not finish within ${timeoutMs} ms`, { details: { timeoutMs } }))
  }, timeoutMs)
  // Listeners are removed in clear(), so a long-lived parent (the host signal) does not
  // accumulate one listener per request.
  const detach: Array<() => void> = []
  for (const parent of parents) {
    if (parent === undefined) continue
    if (parent.aborted) {
      controller.abort(parent.reason)
      break
    }
    const onAbort = (): void => { controller.abort(parent.reason) }
    parent.addEventListener('abort', onAbort, { once: true })
    detach.push(() => { parent.removeEventListener('abort', onAbort) })
  }
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
      for (const d of detach) d()
    }
  }
}

