// Everything about a run that the seed chooses: cluster shape, Raft options, fault rates and
// phase lengths. Drawn from a PRNG forked off the seed first, so adding a knob here changes
// which configuration a seed picks but never the determinism of a seed.

import type { SeededPrng } from '../../util/prng.js'

export interface SimConfig {
  readonly voters: number
  readonly learners: number
  readonly clients: number
  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly electionTick: number
  readonly heartbeatTick: number
  readonly requestTimeoutTicks: number
  readonly snapshotEntries: number
  readonly maxSizePerMsgBytes: number
  readonly maxInflightMsgs: number
  /** ticks of faults and client load before everything heals */
  readonly chaosTicks: number
  /** per-tick probability of a fault event (crash, restart, partition, rates, membership, transfer) */
  readonly faultRate: number
  /** per-tick probability of a client event per idle client */
  readonly clientRate: number
  readonly membershipChanges: boolean
  readonly keys: number
  /**
   * Nodes run with a `scheduleReady` that defers each Ready to a later event of its own, as
   * the daemon's queueMicrotask does: a proposal or message is accepted into the core's
   * memory before the save that makes it durable, and a crash in between loses it.
   */
  readonly deferReady: boolean
  /** proposal-window.ts's window: small ones make re-sent copies expire and ids be forgotten */
  readonly proposalWindow: number
}

/** fixed values that replace the seed's choices (CLI flags, regression seeds, tests) */
export type SimConfigOverrides = Partial<Omit<SimConfig, 'voters'>> & { readonly voters?: 3 | 5 }

export function chooseConfig (rng: SeededPrng, overrides: SimConfigOverrides = {}): SimConfig {
  const pick = <T>(choices: readonly T[]): T => choices[rng.nextInt(choices.length)]!
  const electionTick = pick([8, 10, 12])
  const heartbeatTick = pick([1, 2, 3])
  // every choice is drawn even when overridden, so an override changes nothing else
  const chosen: SimConfig = {
    voters: pick([3, 5] as const),
    learners: pick([0, 0, 1, 2]),
    clients: 2 + rng.nextInt(4),
    preVote: rng.chance(0.75),
    checkQuorum: rng.chance(0.75),
    electionTick,
    heartbeatTick,
    requestTimeoutTicks: electionTick * pick([3, 5]),
    snapshotEntries: pick([3, 5, 8, 13, 40]),
    maxSizePerMsgBytes: pick([1, 64, 256, 4096]),
    maxInflightMsgs: pick([1, 2, 4, 16]),
    chaosTicks: 150 + rng.nextInt(100),
    faultRate: pick([0.03, 0.06, 0.12]),
    clientRate: pick([0.2, 0.4, 0.7]),
    membershipChanges: rng.chance(0.6),
    keys: pick([1, 2, 3]),
    // drawn last, so the choices above are the same as before these knobs existed
    deferReady: rng.chance(0.5),
    proposalWindow: pick([2, 8, 10_000])
  }
  return { ...chosen, ...overrides }
}
