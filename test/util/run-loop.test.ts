// Checks the background loop with real (short) timers: steps never overlap even when a step is
// longer than the interval; the next step waits a full interval after the previous ended; a
// failing step is reported and the loop goes on; stop() aborts the running step's signal and
// resolves only once that step has returned; stop() before start() and a second start() are safe.
import { strict as assert } from 'node:assert'
import { setTimeout as sleep } from 'node:timers/promises'
import { RunLoop } from '../../src/util/run-loop.js'

describe('cluster: run loop', () => {
  it('never overlaps steps and waits the interval after each one ended', async () => {
    let running = 0
    let maxRunning = 0
    const gaps: number[] = []
    let lastEnd: number | undefined
    const loop = new RunLoop(async () => {
      if (lastEnd !== undefined) gaps.push(Date.now() - lastEnd)
      running++
      maxRunning = Math.max(maxRunning, running)
      await sleep(30) // longer than the interval
      running--
      lastEnd = Date.now()
    }, (err) => { throw err })
    loop.start(10)
    await sleep(200)
    await loop.stop()
    assert.equal(maxRunning, 1)
    assert.ok(gaps.length >= 2, `only ${gaps.length} gaps`)
    // timers may fire a millisecond early by Date.now()'s rounding, never much earlier
    for (const gap of gaps) assert.ok(gap >= 9, `gap ${gap} ms`)
  })

  it('reports a failing step and keeps going', async () => {
    const errors: unknown[] = []
    let steps = 0
    const loop = new RunLoop(async () => {
      steps++
      throw new Error(`step ${steps}`)
    }, (err) => errors.push(err))
    loop.start(5)
    await sleep(60)
    await loop.stop()
    assert.ok(steps >= 3, `${steps} steps`)
    assert.equal(errors.length, steps)
  })

  it('stop() aborts the running step and returns once it has ended', async () => {
    let stepEnded = false
    let started!: () => void
    const startedP = new Promise<void>((resolve) => { started = resolve })
    const loop = new RunLoop(async (signal) => {
      started()
      // a step that would take 10 s unless aborted
      await sleep(10_000, undefined, { signal }).catch(() => {})
      await sleep(20) // winding down after the abort
      stepEnded = true
    }, () => {})
    loop.start(1000)
    await startedP
    const t0 = Date.now()
    await loop.stop()
    assert.equal(stepEnded, true)
    assert.ok(Date.now() - t0 < 1000)
    assert.equal(loop.running, false)
  })

  it('is safe to stop before start, refuses a second start, and restarts after stop', async () => {
    let steps = 0
    const loop = new RunLoop(async () => { steps++ }, () => {})
    await loop.stop()
    loop.start(1000)
    assert.throws(() => loop.start(1000), /started twice/)
    await loop.stop()
    loop.start(1000)
    await loop.stop()
    assert.equal(steps, 2)
  })
})
