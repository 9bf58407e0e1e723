// jadfs stat REMOTE: shows a file's record (size, hash, version, chunks, replication, times).
import type { Command } from 'commander'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { describeRecord, printJson, printLines } from '../output.js'
import { absoluteRemote } from '../remote-path.js'

export function registerStatCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('stat')
    .summary('show a file\'s record')
    .description('Show a remote file\'s size, SHA-256, version, chunks, replication policy and times; --json includes the chunk ids.')
    .argument('<remote>', 'remote path'))
    .addHelpText('after', `
Examples:
  $ jadfs stat /docs/report.pdf
  $ jadfs stat /docs/report.pdf --json | jq -r '.chunks[].cid'`)
    .action(async (remote: string, flags: ClientOptions) => {
      const record = await clientFrom(flags, ctx.io).statFile(absoluteRemote(remote))
      if (flags.json === true) printJson(ctx.io.stdout, record)
      else printLines(ctx.io.stdout, describeRecord(record))
    })
}
