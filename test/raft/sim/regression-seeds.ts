// Seeds that once found a violation (in the core, the driver or the simulator itself). The
// simulation test replays each one; a seed whose bug is not fixed yet stays here with
// `pending` set to the reason, and its test is skipped rather than deleted.

import type { SimConfigOverrides } from '../../../src/raft/sim/config.js'

export interface RegressionSeed {
  readonly seed: number
  /** configuration choices the seed failed with, where the chooser has changed since */
  readonly overrides?: SimConfigOverrides
  /** what the seed found, and the invariant it broke */
  readonly found: string
  /** set while the bug is open: the test is skipped with this reason */
  readonly pending?: string
}

export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  {
    seed: 9913,
    found: 'safety, persist-before-send (core, fixed): with several messages stepped before one Ready (deferred Ready), learner ' +
      'n7 queued an ack of 17@4 for the old leader n2, then a term-5 MsgApp truncated 16..17 before they were persisted, and the ' +
      'ack went out; a term change now drops queued messages of older terms'
  },
  {
    seed: 12889,
    found: 'safety, persist-before-send (core, fixed with seed 9913): n4 acknowledged 46 to n2 with only 45 durable'
  },
  {
    seed: 31983,
    found: 'liveness (simulator, fixed by shutting down removed nodes): removed n4 stayed a leader of term 4 (check-quorum off) ' +
      'beside leader n7 of term 5'
  },
  {
    seed: 67669,
    found: 'liveness (simulator, fixed): shut-down node n4 came back into the configuration (an add of unknown outcome ' +
      'committed after its removal) and convergence waited for it; shut-down members are no longer waited for'
  },
  {
    seed: 67196,
    found: 'liveness (simulator, fixed): healing shut down members n4..n7 on the word of n2, a leader of term 2 deposed ' +
      'while partitioned (check-quorum off) with an old configuration; only a leader of the highest term counts now'
  },
  {
    seed: 67105,
    found: 'liveness (simulator, fixed): healing shut down learner n4 because a just-restarted node had not yet applied ' +
      'the entry adding it; removed nodes are now judged by a leader that has applied everything it committed'
  },
  {
    seed: 63082,
    found: 'liveness (simulator, fixed): n5 was removed while partitioned, never learned it and, with pre-vote and check-quorum ' +
      'off, deposed every leader with MsgVote of ever higher terms after healing (thesis §4.2.3); removed nodes are now shut down'
  },
  {
    seed: 6,
    found: 'liveness (simulator bug, fixed): a fault left in the last chaos tick\'s agenda ran after healing and partitioned n3 for good'
  },
  {
    seed: 1759,
    found: 'liveness (simulator bug, fixed): a stale configuration view let the simulator re-add removed node n4 as a voter, which never ran again'
  },
  {
    seed: 9,
    overrides: { voters: 5, learners: 0, snapshotEntries: 5 },
    found: 'crash: "only committed state can be snapshotted" (index 5, durable commit 0) at the first tick of a 5-voter cluster: ' +
      'the bootstrap hard state (term 1, commit 5) was never in a Ready, so never persisted (core, fixed in 16ae0a1)'
  }
]
