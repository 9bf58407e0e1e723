// Checks the Promise.withResolvers shim: on a Promise-like target without the method it
// installs one whose promise resolves and rejects through the returned functions; a target
// that already has the method (the native one, or a stand-in) is left untouched.
import { strict as assert } from 'node:assert'
import { installPromiseWithResolvers } from '../../src/p2p/shims/promise-with-resolvers.js'
import type { PromiseConstructorLike, PromiseWithResolversLike } from '../../src/p2p/shims/promise-with-resolvers.js'

// A fresh Promise subclass stands in for a runtime that lacks the method.
function promiseWithoutWithResolvers (): PromiseConstructorLike & { withResolvers?: <T>() => PromiseWithResolversLike<T> } {
  class FakePromise<T> extends Promise<T> {}
  Object.defineProperty(FakePromise, 'withResolvers', { value: undefined, writable: true, configurable: true })
  return FakePromise as unknown as PromiseConstructorLike & { withResolvers?: <T>() => PromiseWithResolversLike<T> }
}

describe('p2p: Promise.withResolvers shim', () => {
  it('installs a working implementation when the method is absent', async () => {
    const target = promiseWithoutWithResolvers()
    assert.equal(typeof target.withResolvers, 'undefined')
    assert.equal(installPromiseWithResolvers(target), true)
    assert.equal(typeof target.withResolvers, 'function')

    const ok = target.withResolvers!<number>()
    ok.resolve(42)
    assert.equal(await ok.promise, 42)

    const bad = target.withResolvers!<number>()
    bad.reject(new Error('boom'))
    await assert.rejects(bad.promise, /boom/)
  })

  it('leaves an existing implementation alone', () => {
    const native = (): string => 'native'
    const target = promiseWithoutWithResolvers()
    target.withResolvers = native as unknown as <T>() => PromiseWithResolversLike<T>
    assert.equal(installPromiseWithResolvers(target), false)
    assert.equal(target.withResolvers, native)
  })

  it('makes the global Promise usable by libp2p once the host module is loaded', async () => {
    await import('../../src/p2p/host.js')
    // lib is ES2023, which does not declare the method; reach it through a cast.
    const global = Promise as unknown as { withResolvers?: <T>() => PromiseWithResolversLike<T> }
    assert.equal(typeof global.withResolvers, 'function')
    const { promise, resolve } = global.withResolvers!<string>()
    resolve('x')
    assert.equal(await promise, 'x')
  })
})
