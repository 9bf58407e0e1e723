// jadfs ls [PREFIX]: lists files under a prefix, following the API's pagination cursors.
import type { Command } from 'commander'
import { formatBytes } from '../../config/parse-size.js'
import { JadfsError } from '../../errors.js'
import type { FileRecord } from '../../files/file-service.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { formatTable, formatTime, printJson, printLines } from '../output.js'
import { absoluteRemote } from '../remote-path.js'

const DEFAULT_PAGE_FILES = 1000

interface LsFlags extends ClientOptions {
  readonly long?: boolean
  readonly pageSize: string
  readonly stale?: boolean
}

export function registerLsCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('ls')
    .summary('list files')
    .description('List the files whose path starts with PREFIX (default: all), in path order.')
    .argument('[prefix]', 'path prefix, e.g. /docs/ or /photos/2024-')
    .option('-l, --long', 'also show version, chunks, replication and SHA-256')
    .option('--page-size <n>', 'files fetched per request (1..1000); all pages are listed', String(DEFAULT_PAGE_FILES))
    .option('--stale', 'read this peer\'s local copy, which may lag the leader, instead of confirming the latest state with the leader (faster; works without a quorum)'))
    .addHelpText('after', `
Examples:
  $ jadfs ls
  $ jadfs ls /docs/ --long
  $ jadfs ls --json | jq '.[].path'
  $ jadfs ls /docs/ --stale                # this peer's copy of the namespace`)
    .action(async (prefix: string | undefined, flags: LsFlags) => {
      const client = clientFrom(flags, ctx.io)
      const pageSize = Number(flags.pageSize)
      if (!/^\d+$/.test(flags.pageSize) || pageSize < 1 || pageSize > DEFAULT_PAGE_FILES) {
        throw new JadfsError('INVALID_ARGUMENT', `--page-size must be a whole number from 1 to ${DEFAULT_PAGE_FILES}`)
      }
      const files: FileRecord[] = []
      let cursor: string | undefined
      do {
        const page = await client.listFiles({ prefix: prefix === undefined ? undefined : absoluteRemote(prefix), limit: pageSize, cursor, stale: flags.stale })
        files.push(...page.files)
        cursor = page.nextCursor
      } while (cursor !== undefined)
      if (flags.json === true) {
        printJson(ctx.io.stdout, files)
        return
      }
      if (files.length === 0) return
      const header = flags.long === true
        ? ['SIZE', 'MODIFIED', 'VERSION', 'CHUNKS', 'REPLICATION', 'SHA256', 'PATH']
        : ['SIZE', 'MODIFIED', 'PATH']
      const rows = files.map((f) => flags.long === true
        ? [formatBytes(f.sizeBytes), formatTime(f.modifiedAtMs), String(f.version), String(f.chunks.length), `${f.replication.factor} ${f.replication.mode}`, f.sha256, f.path]
        : [formatBytes(f.sizeBytes), formatTime(f.modifiedAtMs), f.path])
      printLines(ctx.io.stdout, formatTable([header, ...rows], new Set([0])))
    })
}
