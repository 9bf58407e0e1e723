// jadfs status: the node's statistics (files, logical vs physical bytes, chunks, disk) and,
// from a cluster daemon, its view of the cluster (leader, members, one line per peer).
import type { Command } from 'commander'
import type { ClusterView } from '../../api/cluster-view.js'
import { formatBytes } from '../../config/parse-size.js'
import { isJadfsError } from '../../errors.js'
import type { ApiClient } from '../api-client.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import { clusterStatusRows, peerTable } from '../cluster-format.js'
import type { CommandContext } from '../command-context.js'
import { formatTable, printJson, printLines } from '../output.js'

export function registerStatusCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('status')
    .summary('show node and cluster statistics')
    .description('Show the node\'s statistics: files, logical bytes (as users see them) vs physical bytes (distinct chunks on disk), chunks, disk space. A cluster daemon adds its view of the cluster: leader and term, this peer\'s role, voters and learners, replication debt, and a table of the peers it knows (state, role, membership, API URL, free and used space, chunks, last heartbeat). --json prints the statistics with a "cluster" field (null from a single-node daemon).'))
    .addHelpText('after', `
Examples:
  $ jadfs status
  $ jadfs status --api http://10.0.0.2:5080 --json
  $ jadfs status --json | jq '.cluster.peers[] | {peerId, state}'`)
    .action(async (flags: ClientOptions) => {
      const client = clientFrom(flags, ctx.io)
      const s = await client.status()
      const cluster = await clusterIfAny(client)
      if (flags.json === true) {
        printJson(ctx.io.stdout, { ...s, cluster })
        return
      }
      const dedup = s.physicalBytes > 0 && s.logicalBytes > 0 ? ` (dedup ratio ${(s.logicalBytes / s.physicalBytes).toFixed(2)})` : ''
      const rows = [
        ['node', `${s.nodeId} (jadfs ${s.version}, up ${Math.round(s.uptimeMs / 1000)} s)`],
        ['data dir', s.dataDir],
        ['files', String(s.files)],
        ['logical', `${formatBytes(s.logicalBytes)}${dedup}`],
        ['physical', formatBytes(s.physicalBytes)],
        ['chunks', `${s.chunks} (${s.badChunks} bad${s.cachedChunks > 0 ? `, ${s.cachedChunks} cached ${s.cachedChunks === 1 ? 'copy' : 'copies'} from reads` : ''})`],
        ['disk', `${formatBytes(s.diskFreeBytes)} free of ${formatBytes(s.diskTotalBytes)}`],
        ['applied index', String(s.appliedIndex)]
      ]
      // the bound of the namespace (NAMESPACE_FULL past it), as bytes of a Raft snapshot; a
      // daemon from before the bound does not report it
      if (typeof s.namespaceBytes === 'number' && typeof s.namespaceLimitBytes === 'number') {
        rows.splice(rows.length - 1, 0, ['namespace', `${formatBytes(s.namespaceBytes)} of ${formatBytes(s.namespaceLimitBytes)} (${(100 * s.namespaceBytes / s.namespaceLimitBytes).toFixed(1)} %)`])
      }
      if (cluster === null) {
        printLines(ctx.io.stdout, formatTable(rows))
        return
      }
      printLines(ctx.io.stdout, [...formatTable([...rows, ...clusterStatusRows(cluster)]), '', ...peerTable(cluster)])
    })
}

/** the cluster view, or null from a daemon older than the cluster routes (single node) */
async function clusterIfAny (client: ApiClient): Promise<ClusterView | null> {
  try {
    return await client.cluster()
  } catch (err) {
    if (isJadfsError(err, 'ROUTE_NOT_FOUND')) return null
    throw err
  }
}
