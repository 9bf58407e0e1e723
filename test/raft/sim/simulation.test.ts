// Runs the deterministic Raft simulation against the real core, driver and memory storage:
// many seeds (3- and 5-voter clusters, learners, crashes, partitions, loss, duplication,
// reordering, membership changes and snapshots) with every safety invariant checked after
// every event, liveness after healing and linearizability of the client history at the end.
// Also checks that a seed replays the identical trace (hash of every line), and replays the
// regression seeds. SIM_SEEDS / SIM_START override how many seeds run and from where.
// About half the seeds defer each Ready to an event of its own (the daemon's scheduleReady
// batching); the run totals must show that mode ran and that crashes did strike between a
// node accepting state and saving it, so the mode cannot silently be off.
import { strict as assert } from 'node:assert'
import { createRaftDriver } from '../../../src/raft/driver/index.js'
import { runSeeds, runSimulation, type SimResult } from '../../../src/raft/sim/index.js'
import { REGRESSION_SEEDS } from './regression-seeds.js'

const SEEDS = Number(process.env.SIM_SEEDS ?? 300)
const START = Number(process.env.SIM_START ?? 1)

function explain (r: SimResult): string {
  return `seed ${r.seed}: ${r.violation?.message ?? 'ok'}\n${r.trace.join('\n')}\nreplay: npm run sim -- --seeds 1 --start ${r.seed} --verbose`
}

describe('raft deterministic simulation', function () {
  this.timeout(600_000)

  it('replays a seed identically and different seeds differently', async () => {
    const a = await runSimulation({ seed: 42, createDriver: createRaftDriver })
    const b = await runSimulation({ seed: 42, createDriver: createRaftDriver })
    const c = await runSimulation({ seed: 43, createDriver: createRaftDriver })
    assert.equal(a.digest, b.digest)
    assert.deepEqual(a.stats, b.stats)
    assert.notEqual(a.digest, c.digest)
  })

  it('replays a seed with deferred readies identically', async () => {
    // seed 44 chooses deferReady
    const a = await runSimulation({ seed: 44, createDriver: createRaftDriver })
    const b = await runSimulation({ seed: 44, createDriver: createRaftDriver })
    assert.equal(a.config.deferReady, true)
    assert.ok(a.stats.readyRuns > 0, 'deferred ready-runs ran')
    assert.equal(a.digest, b.digest)
    assert.deepEqual(a.stats, b.stats)
    const off = await runSimulation({ seed: 44, createDriver: createRaftDriver, deferReadies: false })
    assert.equal(off.config.deferReady, false)
    assert.equal(off.stats.readyRuns, 0)
  })

  it(`runs ${SEEDS} seeds from ${START} without a safety, liveness or linearizability violation`, async () => {
    const { totals, failure } = await runSeeds({ start: START, count: SEEDS, createDriver: createRaftDriver })
    assert.equal(failure, undefined, failure === undefined ? '' : explain(failure))
    assert.equal(totals.seeds, SEEDS)
    // the runs must actually exercise the system, not idle
    assert.ok(totals.threeNode > 0 && totals.fiveNode > 0, 'both cluster sizes ran')
    assert.ok(totals.writesAcked > SEEDS * 5, `writes acknowledged: ${totals.writesAcked}`)
    assert.ok(totals.crashes > SEEDS, `crashes: ${totals.crashes}`)
    assert.ok(totals.confChanges > SEEDS / 2, `membership changes: ${totals.confChanges}`)
    assert.ok(totals.linearizabilityOk > SEEDS * 0.9, `linearizability ok: ${totals.linearizabilityOk}`)
    // the production crash window: accepted or stepped in memory, crashed before the save
    assert.ok(totals.deferReadySeeds > SEEDS / 4 && totals.deferReadySeeds < SEEDS * 3 / 4, `seeds deferring readies: ${totals.deferReadySeeds}`)
    assert.ok(totals.readyRuns > totals.deferReadySeeds * 10, `deferred ready-runs: ${totals.readyRuns}`)
    assert.ok(totals.crashesWithPendingReady > 0, `crashes discarding pending ready-runs: ${totals.crashesWithPendingReady}`)
  })

  describe('regression seeds', () => {
    if (REGRESSION_SEEDS.length === 0) it('(none recorded yet)')
    for (const r of REGRESSION_SEEDS) {
      const title = `seed ${r.seed}: ${r.found}`
      const run = async (): Promise<void> => {
        const res = await runSimulation({
          seed: r.seed,
          createDriver: createRaftDriver,
          ...(r.overrides === undefined ? {} : { overrides: r.overrides })
        })
        assert.equal(res.violation, undefined, explain(res))
      }
      if (r.pending === undefined) it(title, run)
      else it.skip(`${title} [pending: ${r.pending}]`, run)
    }
  })
})
