// jadfs cluster up: starts N local daemons (node 0 bootstraps, the others join it), waits until
// they form one cluster, records them in DIR/cluster.json and returns, leaving them running.
import path from 'node:path'
import type { Command } from 'commander'
import { parseDurationMs } from '../../config/parse-duration.js'
import { JadfsError } from '../../errors.js'
import { requireClusterFile } from '../../harness/cluster-file.js'
import { DEFAULT_VOTERS, MAX_NODES, startLocalCluster } from '../../harness/local-cluster.js'
import type { CommandContext } from '../command-context.js'
import { formatTable, printJson, printLines } from '../output.js'
import { parseWholeNumber } from '../whole-number.js'

interface UpFlags {
  readonly nodes: string
  readonly dir: string
  readonly voters: string
  readonly startTimeout: string
  readonly daemonBin?: string
  readonly json?: boolean
}

export function registerClusterUp (cluster: Command, ctx: CommandContext): void {
  cluster.command('up')
    .summary('start N local daemons as one cluster')
    .description('Start N daemons on 127.0.0.1 (API and peer ports chosen by the system), each with --data-dir DIR/node<i> and its output appended to DIR/node<i>/daemon.log. Node 0 starts first and bootstraps the cluster; the others join it. Returns once node 0 reports a leader and every node as a member (the first min(VOTERS, N) as voters, the rest as learners); the daemons keep running. Refuses a DIR whose cluster.json lists a daemon still running. Flags after -- are passed to every daemon.')
    .requiredOption('--nodes <n>', `number of daemons, 1..${MAX_NODES}`)
    .requiredOption('--dir <dir>', 'directory for the nodes\' data dirs, logs and cluster.json')
    .option('--voters <n>', 'target voter count, odd (--voters of each daemon)', String(DEFAULT_VOTERS))
    .option('--start-timeout <duration>', 'give up (and stop the daemons) when the cluster has not formed by then', '60s')
    .option('--daemon-bin <path>', 'the jadfs script to run as `node <path> daemon` (default: this installation\'s bin/jadfs)')
    .option('--json', 'print cluster.json')
    .argument('[daemonFlags...]', 'flags for every daemon, after --')
    .addHelpText('after', `
Examples:
  $ jadfs cluster up --nodes 3 --dir /tmp/c
  $ jadfs cluster up --nodes 5 --voters 5 --dir /tmp/c5 --json
  $ jadfs cluster up --nodes 4 --dir /tmp/c -- --replication 2 --heartbeat-interval 500ms`)
    .action(async (daemonFlags: string[], flags: UpFlags) => {
      const io = ctx.io
      const nodes = parseWholeNumber('--nodes', flags.nodes, 1, MAX_NODES)
      const voters = parseWholeNumber('--voters', flags.voters, 1, MAX_NODES)
      if (voters % 2 === 0) throw new JadfsError('INVALID_ARGUMENT', `--voters ${voters}: expected an odd number (a majority of an even voter set is no more fault tolerant than one voter fewer)`)
      const startTimeoutMs = parseDurationMs(flags.startTimeout)
      if (startTimeoutMs === undefined || startTimeoutMs <= 0) throw new JadfsError('INVALID_ARGUMENT', `--start-timeout ${JSON.stringify(flags.startTimeout)} is not a duration like 60s`)
      const dir = path.resolve(io.cwd, flags.dir)
      // Ctrl-C reaches only this process (each daemon has its own process group): stop the
      // daemons started so far rather than leave them behind.
      const interrupt = new AbortController()
      const stopListening = io.onInterrupt?.(() => { interrupt.abort() })
      let started
      try {
        started = await startLocalCluster({
          nodes,
          dir,
          voters,
          daemonArgs: daemonFlags,
          env: definedOnly(io.env),
          startTimeoutMs,
          daemonBin: flags.daemonBin === undefined ? undefined : path.resolve(io.cwd, flags.daemonBin),
          signal: interrupt.signal
        })
      } finally {
        stopListening?.()
      }
      started.detach()
      if (flags.json === true) {
        printJson(io.stdout, await requireClusterFile(dir))
        return
      }
      const rows = started.nodes.map((n) => [String(n.index), n.apiUrl, n.peerId, String(n.pid)])
      printLines(io.stdout, [
        `started ${nodes} node(s) in ${dir}`,
        ...formatTable([['NODE', 'API', 'PEER', 'PID'], ...rows]),
        `logs: ${path.join(dir, 'node<i>', 'daemon.log')}; stop with: jadfs cluster down --dir ${dir}`
      ])
    })
}

/** the daemons get this environment (the CLI's, injected for tests) */
function definedOnly (env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}
