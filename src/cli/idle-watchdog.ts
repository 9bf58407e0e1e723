// Aborts a transfer that makes no progress for too long. A fixed deadline would kill large
// uploads; an idle deadline (reset by every byte sent or received) only kills stuck ones,
// including a connect or a response that never comes.
import { JadfsError } from '../errors.js'

export interface IdleWatchdog {
  readonly signal: AbortSignal
  /** progress was made: restart the idle timer */
  touch (): void
  stop (): void
}

export function startIdleWatchdog (idleTimeoutMs: number, what: string, parent?: AbortSignal): IdleWatchdog {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      controller.abort(new JadfsError('TIMEOUT', `${what}: no progress for ${idleTimeoutMs < 1000 ? `${idleTimeoutMs} ms` : `${Math.round(idleTimeoutMs / 1000)} s`}; gave up (the outcome on the daemon is unknown)`))
    }, idleTimeoutMs)
    timer.unref()
  }
  const onParentAbort = (): void => { controller.abort(parent?.reason) }
  parent?.addEventListener('abort', onParentAbort, { once: true })
  arm()
  return {
    signal: controller.signal,
    touch: arm,
    stop () {
      clearTimeout(timer)
      parent?.removeEventListener('abort', onParentAbort)
    }
  }
}
