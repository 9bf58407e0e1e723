// jadfs rm REMOTE: deletes a file; its chunks are freed by the next garbage collection.
import type { Command } from 'commander'
import { formatBytes } from '../../config/parse-size.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'
import { absoluteRemote } from '../remote-path.js'

export function registerRmCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('rm')
    .summary('delete a file')
    .description('Delete a remote file. Its space is reclaimed by garbage collection (jadfs gc) after the grace period.')
    .argument('<remote>', 'remote path'))
    .addHelpText('after', `
Examples:
  $ jadfs rm /docs/old.pdf`)
    .action(async (remote: string, flags: ClientOptions) => {
      const record = await clientFrom(flags, ctx.io).deleteFile(absoluteRemote(remote))
      if (flags.json === true) printJson(ctx.io.stdout, record)
      else printLines(ctx.io.stdout, [`removed ${record.path}  ${formatBytes(record.sizeBytes)}`])
    })
}
