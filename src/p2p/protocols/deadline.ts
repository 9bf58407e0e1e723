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

/** The error to report for an aborted signal: a JadfsError as is, a DOM TimeoutError as TIMEOUT. */
export function abortReason (signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof JadfsError) return reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return new JadfsError('TIMEOUT', reason.message, { cause: reason })
  if (reason instanceof Error) return reason
  return new Error('the operation was aborted', { cause: reason })
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts. `onAbort` runs first so the
 * caller can tear down what `work` waits on (usually by aborting the stream), which is what
 * keeps a silent peer from holding anything open.
 */
export async function raceSignal<T> (work: Promise<T>, signal: AbortSignal, onAbort?: (reason: Error) => void): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {})
    const reason = abortReason(signal)
    onAbort?.(reason)
    throw reason
  }
  let listener: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    listener = () => {
      const reason = abortReason(signal)
      onAbort?.(reason)
      reject(reason)
    }
    signal.addEventListener('abort', listener, { once: true })
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    if (listener !== undefined) signal.removeEventListener('abort', listener)
    // The loser of the race may reject later; that rejection is expected and handled here.
    work.catch(() => {})
    aborted.catch(() => {})
  }
}
