// jadfs cluster up|down|status: the local multi-peer harness (src/harness) from the command line.
// `up` starts N daemons detached and returns; `down` and `status` find them later through
// DIR/cluster.json.
import type { Command } from 'commander'
import type { CommandContext } from '../command-context.js'
import { registerClusterDown } from './cluster-down.js'
import { registerClusterKey } from './cluster-key.js'
import { registerClusterStatus } from './cluster-status.js'
import { registerClusterUp } from './cluster-up.js'

export function registerClusterCommand (program: Command, ctx: CommandContext): void {
  const cluster = program.command('cluster')
    .summary('run a local multi-peer cluster (real daemons on loopback); make a cluster key')
    .description('Start, inspect and stop a cluster of local daemons, each in DIR/node<i> with its log in DIR/node<i>/daemon.log. `up` returns once the cluster has formed and leaves the daemons running; `status` and `down` find them through DIR/cluster.json. `key` makes the key of a private cluster (for --cluster-key).')
    .addHelpText('after', `
Examples:
  $ jadfs cluster up --nodes 3 --dir /tmp/c
  $ jadfs cluster status --dir /tmp/c
  $ JADFS_API=$(jq -r '.nodes[1].apiUrl' /tmp/c/cluster.json) jadfs put report.pdf
  $ jadfs cluster down --dir /tmp/c`)
  registerClusterUp(cluster, ctx)
  registerClusterDown(cluster, ctx)
  registerClusterStatus(cluster, ctx)
  registerClusterKey(cluster, ctx)
}
