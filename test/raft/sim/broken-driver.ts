// The real driver, loaded a second time so that its import of the Raft core resolves to the
// broken copy in broken-core.ts (see core-swap-hooks.ts). The hook is registered once, on first
// use; it only touches imports tagged `?broken=`, so every other test sees the real modules.
import { register } from 'node:module'
import type { DriverFactory } from '../../../src/raft/sim/index.js'

export type BrokenMode = 'figure-8' | 'double-vote'

let registered = false

export async function brokenDriver (mode: BrokenMode): Promise<DriverFactory> {
  if (!registered) {
    register('./core-swap-hooks.js', import.meta.url)
    registered = true
  }
  const url = new URL(`../../../src/raft/driver/index.js?broken=${mode}`, import.meta.url).href
  const driverModule = await import(url) as typeof import('../../../src/raft/driver/index.js')
  return driverModule.createRaftDriver
}
