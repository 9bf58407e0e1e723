// Waiting on work that a signal may cancel: the error an aborted signal stands for, and a race
// of the work against the signal. Used by protocol code (every wait on a peer) and by the
// store (a disk-room claim whose caller went away).
import { JadfsError } from '../errors.js'

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
