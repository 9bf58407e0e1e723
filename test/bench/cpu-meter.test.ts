// Checks the benchmark's CPU meter against processes whose load is known: a child that spins
// for the whole interval reads as about one core and a child that sleeps as about none, and
// the machine's busy cores include the spinner. Bounds are loose: other work shares the cores.
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { startCpuMeter } from '../../bench/cpu-meter.js'

function child (code: string): ChildProcess {
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' })
}

describe('bench cpu meter', function () {
  if (process.platform !== 'linux') return
  this.timeout(20_000)

  it('reads a spinning process as about a core and a sleeping one as about none', async () => {
    const spinner = child('const end = Date.now() + 5000; while (Date.now() < end) {}')
    const sleeper = child('setTimeout(() => {}, 5000)')
    try {
      await Promise.all([once(spinner, 'spawn'), once(sleeper, 'spawn')])
      await sleep(300) // past start-up, which costs the sleeper CPU too
      const meter = startCpuMeter({ spinner: spinner.pid as number, sleeper: sleeper.pid as number })
      await sleep(1500)
      const reading = meter.stop()
      assert.ok((reading.processCores.spinner ?? 0) > 0.4, `spinner read ${reading.processCores.spinner}`)
      assert.ok((reading.processCores.spinner ?? 0) < 1.3, `spinner read ${reading.processCores.spinner}`)
      assert.ok((reading.processCores.sleeper ?? 1) < 0.1, `sleeper read ${reading.processCores.sleeper}`)
      assert.ok(reading.machineBusyCores >= (reading.processCores.spinner ?? 0) - 0.15, `machine ${reading.machineBusyCores} < spinner ${reading.processCores.spinner}`)
    } finally {
      spinner.kill('SIGKILL')
      sleeper.kill('SIGKILL')
    }
  })
})
