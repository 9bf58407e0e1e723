// jadfs stat REMOTE: shows a file's record (size, hash, version, chunks, replication, times).
import type { Command } from 'commander'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { describeRecord, printJson, printLines } from '../output.js'
import { absoluteRemote } from '../remote-path.js'

interface StatFlags extends ClientOptions {
  readonly stale?: boolean
}

export function registerStatCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('stat')
    .summary('show a file\'s record')
    .description('Show a remote file\'s size, SHA-256, version, chunks, replication policy and times; --json includes the chunk ids.')
    .argument('<remote>', 'remote path')
    .option('--stale', 'read this peer\'s local copy, which may lag the leader, instead of confirming the latest state with the leader (faster; works without a quorum)'))
    .addHelpText('after', `
Examples:
  $ jadfs stat /docs/report.pdf
  $ jadfs stat /docs/report.pdf --json | jq -r '.chunks[].cid'
  $ jadfs stat /docs/report.pdf --stale`)
    .action(async (remote: string, flags: StatFlags) => {
      const record = await clientFrom(flags, ctx.io).statFile(absoluteRemote(remote), { stale: flags.stale })
      if (flags.json === true) printJson(ctx.io.stdout, record)
      else printLines(ctx.io.stdout, describeRecord(record))
    })
}
