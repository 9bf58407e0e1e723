// jadfs status: the node's statistics (files, logical vs physical bytes, chunks, disk).
import type { Command } from 'commander'
import { formatBytes } from '../../config/parse-size.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { formatTable, printJson, printLines } from '../output.js'

export function registerStatusCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('status')
    .summary('show node statistics')
    .description('Show the node\'s statistics: files, logical bytes (as users see them) vs physical bytes (distinct chunks on disk), chunks, disk space.'))
    .addHelpText('after', `
Examples:
  $ jadfs status
  $ jadfs status --api http://10.0.0.2:5080 --json`)
    .action(async (flags: ClientOptions) => {
      const s = await clientFrom(flags, ctx.io).status()
      if (flags.json === true) {
        printJson(ctx.io.stdout, s)
        return
      }
      const dedup = s.physicalBytes > 0 && s.logicalBytes > 0 ? ` (dedup ratio ${(s.logicalBytes / s.physicalBytes).toFixed(2)})` : ''
      printLines(ctx.io.stdout, formatTable([
        ['node', `${s.nodeId} (jadfs ${s.version}, up ${Math.round(s.uptimeMs / 1000)} s)`],
        ['data dir', s.dataDir],
        ['files', String(s.files)],
        ['logical', `${formatBytes(s.logicalBytes)}${dedup}`],
        ['physical', formatBytes(s.physicalBytes)],
        ['chunks', `${s.chunks} (${s.badChunks} bad)`],
        ['disk', `${formatBytes(s.diskFreeBytes)} free of ${formatBytes(s.diskTotalBytes)}`],
        ['applied index', String(s.appliedIndex)]
      ]))
    })
}
