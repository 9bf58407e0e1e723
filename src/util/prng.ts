// A seeded PRNG (splitmix32 seeding + xoshiro128**), written here rather than taken from a
// library because the Raft core, the driver and the simulator need one tiny, dependency-free,
// reproducible generator whose whole state is four integers (a simulation seed must replay
// identically across Node versions). Not for cryptography.

import type { Prng } from '../raft/api.js'
import { assert } from './assert.js'

export interface SeededPrng extends Prng {
  /** float in [0, 1) */
  nextFloat (): number
  /** true with probability p */
  chance (p: number): boolean
  /** a fresh generator derived from this one (for independent streams) */
  fork (): SeededPrng
}

export function createPrng (seed: number): SeededPrng {
  assert(Number.isSafeInteger(seed), 'prng seed must be a safe integer', { seed })
  let s = (seed ^ Math.floor(seed / 0x1_0000_0000)) >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix(); let b = splitmix(); let c = splitmix(); let d = splitmix()
  if ((a | b | c | d) === 0) a = 1

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0
    const t = (b << 9) >>> 0
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t
    d = rotl(d, 11)
    return result
  }

  const prng: SeededPrng = {
    nextInt (n: number): number {
      assert(Number.isInteger(n) && n > 0 && n <= 0x1_0000_0000, 'nextInt bound must be an integer in [1, 2^32]', { n })
      return Math.floor((nextU32() / 0x1_0000_0000) * n)
    },
    nextFloat: () => nextU32() / 0x1_0000_0000,
    chance: (p: number) => nextU32() / 0x1_0000_0000 < p,
    fork: () => createPrng(nextU32() * 0x20_0000 + (nextU32() >>> 11))
  }
  return prng
}

function rotl (x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
