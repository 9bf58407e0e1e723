// libp2p v3 and its modules call Promise.withResolvers, which Node only has from 22.
// The engines we test include Node 20, so we install an equivalent when (and only when)
// the runtime lacks it. A native implementation is never replaced.

export interface PromiseWithResolversLike<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

/** The part of the Promise constructor the shim touches; a test passes a fake one. */
export interface PromiseConstructorLike {
  new <T>(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void): Promise<T>
  withResolvers?: unknown
}

/**
 * Installs `withResolvers` on `target` if it is missing.
 * Returns true when it installed the shim, false when a native one was already there.
 */
export function installPromiseWithResolvers (target: PromiseConstructorLike = Promise as unknown as PromiseConstructorLike): boolean {
  if (typeof target.withResolvers === 'function') return false
  const ctor = target
  function withResolvers<T> (): PromiseWithResolversLike<T> {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new ctor<T>((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
  // Same shape as the native method: non-enumerable, writable, configurable.
  Object.defineProperty(target, 'withResolvers', { value: withResolvers, writable: true, configurable: true, enumerable: false })
  return true
}
