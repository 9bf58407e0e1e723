// Module resolve hook for the broken-core tests (registered with module.register). When the
// driver is imported with `?broken=<mode>`, its modules keep that tag and their import of the
// Raft core resolves to broken-core.js?broken-core=<mode> instead. The driver and core under
// test are the real ones; only this test gets the broken copy, and nothing in src/ knows.
import type { ResolveHook } from 'node:module'

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context)
  const mode = context.parentURL === undefined ? null : /[?&]broken=([a-z0-9-]+)/.exec(context.parentURL)?.[1] ?? null
  if (mode === null) return resolved
  const url = resolved.url.split('?')[0]!
  if (url.endsWith('/src/raft/core/index.js')) {
    return { ...resolved, url: new URL(`./broken-core.js?broken-core=${mode}`, import.meta.url).href, shortCircuit: true }
  }
  if (url.includes('/src/raft/driver/')) return { ...resolved, url: `${url}?broken=${mode}`, shortCircuit: true }
  return resolved
}
