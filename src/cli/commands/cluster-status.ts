// jadfs cluster status: for each daemon DIR/cluster.json lists, whether its process runs, whether
// its API answers, and its role; then the leader.
import path from 'node:path'
import type { Command } from 'commander'
import { inspectRecordedCluster, leaderOf, type NodeHealth } from '../../harness/recorded-cluster.js'
import { apiTokenFileOption, apiTokenFrom } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { formatTable, printJson, printLines } from '../output.js'

interface StatusFlags {
  readonly dir: string
  readonly json?: boolean
  readonly apiTokenFile?: string
}

export function registerClusterStatus (cluster: Command, ctx: CommandContext): void {
  cluster.command('status')
    .summary('show the daemons of a local cluster')
    .description('For each daemon DIR/cluster.json lists: its pid and whether that process still runs, its API URL and whether GET /v1/cluster answers, its Raft role and peer id; then the leader (as the answering node with the highest term sees it).')
    .requiredOption('--dir <dir>', 'the directory given to `jadfs cluster up`')
    .option('--json', 'print {nodes: [...], leader} for scripts')
    .addOption(apiTokenFileOption())
    .addHelpText('after', `
Examples:
  $ jadfs cluster status --dir /tmp/c
  $ jadfs cluster status --dir /tmp/c --json | jq '.leader.index'`)
    .action(async (flags: StatusFlags) => {
      const apiToken = apiTokenFrom(flags.apiTokenFile, ctx.io)
      const health = await inspectRecordedCluster(path.resolve(ctx.io.cwd, flags.dir), apiToken)
      const leader = leaderOf(health)
      if (flags.json === true) {
        printJson(ctx.io.stdout, { nodes: health.map(toJson), leader })
        return
      }
      const rows = health.map((h) => [
        String(h.node.index),
        String(h.node.pid),
        h.running ? 'running' : 'gone',
        h.node.apiUrl ?? '-',
        h.answering ? 'yes' : `no (${h.error ?? 'no answer'})`,
        h.view?.role ?? '-',
        h.node.peerId ?? '-'
      ])
      const leaderLine = leader === null
        ? 'leader  none known'
        : `leader  ${leader.index === undefined ? '' : `node ${leader.index} `}${leader.peerId} (term ${leader.term})`
      printLines(ctx.io.stdout, [...formatTable([['NODE', 'PID', 'PROCESS', 'API', 'ANSWERS', 'ROLE', 'PEER'], ...rows]), leaderLine])
    })
}

function toJson (h: NodeHealth): object {
  return {
    index: h.node.index,
    pid: h.node.pid,
    dataDir: h.node.dataDir,
    apiUrl: h.node.apiUrl,
    peerId: h.node.peerId,
    running: h.running,
    answering: h.answering,
    role: h.view?.role ?? null,
    error: h.error ?? null
  }
}
