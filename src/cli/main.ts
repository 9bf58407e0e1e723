// The jadfs command line: builds the commander program, runs one command, and turns its
// outcome into an exit code (see exit-codes.ts) and, on failure, one line on stderr.
import { Command, CommanderError } from 'commander'
import { isJadfsError } from '../errors.js'
import { processIo, type CliIo } from './cli-io.js'
import type { CommandContext } from './command-context.js'
import { registerApiTokenCommand } from './commands/api-token.js'
import { registerClusterCommand } from './commands/cluster.js'
import { registerDaemonCommand } from './commands/daemon.js'
import { registerGcCommand } from './commands/gc.js'
import { registerGetCommand } from './commands/get.js'
import { registerIdCommand } from './commands/id.js'
import { registerLsCommand } from './commands/ls.js'
import { registerPutCommand } from './commands/put.js'
import { registerRmCommand } from './commands/rm.js'
import { registerStatCommand } from './commands/stat.js'
import { registerStatusCommand } from './commands/status.js'
import { registerVotersCommand } from './commands/voters.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-codes.js'
import { packageVersion } from './version.js'

export async function main (argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT_OK }
  const program = buildProgram(ctx)
  const wantsJson = argv.includes('--json')
  try {
    await program.parseAsync([...argv])
    return ctx.exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help/version text).
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    }
    if (isJadfsError(err)) {
      if (wantsJson) io.stderr.write(JSON.stringify({ error: { code: err.code, message: err.message } }) + '\n')
      else io.stderr.write(`jadfs: ${err.message} (${err.code})\n`)
      return exitCodeFor(err.code)
    }
    const errno = err as NodeJS.ErrnoException
    if (typeof errno.code === 'string' && typeof errno.syscall === 'string') {
      // A local file-system failure (no such directory, permission denied, disk full).
      io.stderr.write(`jadfs: ${errno.message}\n`)
      return EXIT_FAILURE
    }
    io.stderr.write(`jadfs: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    return EXIT_FAILURE
  }
}

function buildProgram (ctx: CommandContext): Command {
  const program = new Command('jadfs')
  program
    .description('JaDFS: a peer-to-peer distributed file store. Run `jadfs daemon` for a node, then use the other commands against it.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => { ctx.io.stdout.write(text) },
      writeErr: (text) => { ctx.io.stderr.write(text) }
    })
    .addHelpText('after', `
Exit codes: 0 ok, 1 operating error (daemon unreachable, file missing, corrupt data, I/O),
2 usage error (bad flags or arguments, invalid path, range or configuration), 130 interrupted.

Examples:
  $ jadfs daemon &                        # single node in ./.jadfs, API on 127.0.0.1:5080
  $ jadfs put report.pdf /docs/
  $ jadfs ls /docs/
  $ jadfs get /docs/report.pdf copy.pdf
  $ jadfs rm /docs/report.pdf && jadfs gc
  $ JADFS_API=http://10.0.0.2:5080 jadfs status
  $ jadfs cluster up --nodes 3 --dir /tmp/c  # three local daemons; then cluster status / down
  $ jadfs voters --api http://10.0.0.2:5080`)
  registerDaemonCommand(program, ctx)
  registerPutCommand(program, ctx)
  registerGetCommand(program, ctx)
  registerLsCommand(program, ctx)
  registerRmCommand(program, ctx)
  registerStatCommand(program, ctx)
  registerStatusCommand(program, ctx)
  registerGcCommand(program, ctx)
  registerIdCommand(program, ctx)
  registerVotersCommand(program, ctx)
  registerClusterCommand(program, ctx)
  registerApiTokenCommand(program, ctx)
  return program
}
