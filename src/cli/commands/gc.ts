// jadfs gc: runs garbage collection now and reports what it freed.
import type { Command } from 'commander'
import { formatBytes } from '../../config/parse-size.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'

export function registerGcCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('gc')
    .summary('collect garbage now')
    .description('Remove chunks no file references, cached copies of chunks this peer fetched for reads and nobody has read since, and leftover temporary files, keeping those younger than the daemon\'s --gc-grace (which protects uploads in flight and recently read copies).'))
    .addHelpText('after', `
Examples:
  $ jadfs gc
  $ jadfs gc --json`)
    .action(async (flags: ClientOptions) => {
      const report = await clientFrom(flags, ctx.io).collectGarbage()
      if (flags.json === true) printJson(ctx.io.stdout, report)
      else {
        const cached = report.cachedEvicted > 0 ? ` (${report.cachedEvicted} of them ${report.cachedEvicted === 1 ? 'a cached copy' : 'cached copies'} from reads)` : ''
        printLines(ctx.io.stdout, [`freed ${formatBytes(report.bytesFreed)}: ${report.chunksRemoved} chunk(s)${cached} and ${report.tempFilesRemoved} temporary file(s) removed in ${report.durationMs} ms`])
      }
    })
}
