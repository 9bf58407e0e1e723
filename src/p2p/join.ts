// Joining a cluster: dial every --join address until it connects, with bounded retries and
// exponential backoff, all of it abandoned when the host stops. A join address that never
// answers is reported, not fatal: the peer may come up later and dial us instead.
import type { Multiaddr } from '@multiformats/multiaddr'
import { abortReason } from '../util/race-signal.js'
import { assert } from '../util/assert.js'

export interface JoinPolicy {
  /** Dial attempts per address, including the first. */
  readonly attempts: number
  readonly initialBackoffMs: number
  readonly maxBackoffMs: number
}

export const DEFAULT_JOIN_POLICY: JoinPolicy = { attempts: 6, initialBackoffMs: 250, maxBackoffMs: 4000 }

export interface JoinResult {
  readonly connected: string[]
  readonly failed: Array<{ readonly addr: string, readonly attempts: number, readonly error: string }>
}

export type DialFn = (addr: Multiaddr, signal: AbortSignal) => Promise<unknown>
export type SleepFn = (ms: number, signal: AbortSignal) => Promise<void>

export async function joinBootstrap (addrs: readonly Multiaddr[], dial: DialFn, signal: AbortSignal, policy: JoinPolicy = DEFAULT_JOIN_POLICY, sleep: SleepFn = abortableSleep): Promise<JoinResult> {
  assert(policy.attempts >= 1 && policy.initialBackoffMs >= 0 && policy.maxBackoffMs >= policy.initialBackoffMs, 'invalid join policy', policy)
  const result: JoinResult = { connected: [], failed: [] }
  await Promise.all(addrs.map(async (addr) => {
    let lastError = ''
    let attempt = 0
    for (; attempt < policy.attempts && !signal.aborted; attempt++) {
      if (attempt > 0) {
        const backoffMs = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1))
        try {
          await sleep(backoffMs, signal)
        } catch {
          break
        }
      }
      try {
        await dial(addr, signal)
        result.connected.push(addr.toString())
        return
      } catch (err) {
        lastError = (err as Error).message
      }
    }
    if (signal.aborted) lastError = abortReason(signal).message
    result.failed.push({ addr: addr.toString(), attempts: attempt, error: lastError })
  }))
  return result
}

export async function abortableSleep (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw abortReason(signal)
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortReason(signal))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
