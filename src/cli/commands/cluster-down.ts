// jadfs cluster down: stops the daemons DIR/cluster.json lists (SIGTERM, then SIGKILL to those
// still running after the timeout) and reports what happened to each.
import path from 'node:path'
import type { Command } from 'commander'
import { parseDurationMs } from '../../config/parse-duration.js'
import { JadfsError } from '../../errors.js'
import { stopRecordedCluster, type StoppedNode } from '../../harness/recorded-cluster.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'

interface DownFlags {
  readonly dir: string
  readonly timeout: string
  readonly json?: boolean
}

export function registerClusterDown (cluster: Command, ctx: CommandContext): void {
  cluster.command('down')
    .summary('stop the daemons of a local cluster')
    .description('Send SIGTERM to every daemon DIR/cluster.json lists that is still running (a recorded pid now used by another program is left alone), wait for them to stop cleanly, and SIGKILL those still running after --timeout. Data dirs and logs are kept.')
    .requiredOption('--dir <dir>', 'the directory given to `jadfs cluster up`')
    .option('--timeout <duration>', 'how long to wait after SIGTERM before SIGKILL', '15s')
    .option('--json', 'print [{index, pid, outcome}] with outcome stopped, killed or not running')
    .addHelpText('after', `
Examples:
  $ jadfs cluster down --dir /tmp/c
  $ jadfs cluster down --dir /tmp/c --timeout 2s --json`)
    .action(async (flags: DownFlags) => {
      const timeoutMs = parseDurationMs(flags.timeout)
      if (timeoutMs === undefined) throw new JadfsError('INVALID_ARGUMENT', `--timeout ${JSON.stringify(flags.timeout)} is not a duration like 15s`)
      const stopped = await stopRecordedCluster(path.resolve(ctx.io.cwd, flags.dir), { timeoutMs })
      if (flags.json === true) printJson(ctx.io.stdout, stopped)
      else printLines(ctx.io.stdout, stopped.map((s) => describeStop(s, flags.timeout)))
    })
}

function describeStop (node: StoppedNode, timeout: string): string {
  const what = node.outcome === 'killed' ? `killed (still running ${timeout} after SIGTERM)` : node.outcome
  return `node ${node.index} (pid ${node.pid}): ${what}`
}
