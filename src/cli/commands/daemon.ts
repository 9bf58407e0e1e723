// jadfs daemon: runs one node in the foreground until SIGTERM/SIGINT.
import type { Command } from 'commander'
import { resolveDaemonConfig, type DaemonFlags } from '../../config/daemon-config.js'
import type { CommandContext } from '../command-context.js'
import { packageVersion } from '../version.js'

export function registerDaemonCommand (program: Command, ctx: CommandContext): void {
  program.command('daemon')
    .summary('run a JaDFS node')
    .description('Run a JaDFS node in the foreground: a single-node store in --data-dir with the HTTP API on --api-listen. Each option falls back to its JADFS_* variable, then to its default. Logs are JSON lines on stdout. SIGTERM or SIGINT stops it cleanly.')
    .option('--data-dir <dir>', 'where chunks and metadata live (env JADFS_DATA_DIR, default ./.jadfs)')
    .option('--api-listen <host:port>', 'HTTP API address (env JADFS_API_LISTEN, default 127.0.0.1:5080)')
    .option('--chunk-size <size>', 'default chunk size for new files, 64KiB..256MiB (env JADFS_CHUNK_SIZE, default 64MiB)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env JADFS_LOG_LEVEL, default info)')
    .option('--gc-grace <duration>', 'unreferenced chunks and temp files younger than this are kept (env JADFS_GC_GRACE, default 15m)')
    .option('--max-file-size <size>', 'largest accepted upload (env JADFS_MAX_FILE_SIZE, default 1TiB)')
    .option('--shutdown-grace <duration>', 'how long in-flight requests may take to finish on shutdown (env JADFS_SHUTDOWN_GRACE, default 10s)')
    .addHelpText('after', `
Examples:
  $ jadfs daemon                                   # ./.jadfs, API on 127.0.0.1:5080
  $ jadfs daemon --data-dir /srv/jadfs --api-listen 0.0.0.0:5080 --chunk-size 16MiB
  $ JADFS_LOG_LEVEL=debug jadfs daemon --gc-grace 1h`)
    .action(async (flags: DaemonFlags) => {
      const config = resolveDaemonConfig(flags, ctx.io.env, ctx.io.cwd)
      // Loaded here so client commands start fast without the server, store and SQLite.
      const { createLogger } = await import('../../log/logger.js')
      const { startJadfsNode } = await import('../../node/jadfs-node.js')
      const { runUntilSignal } = await import('../../node/run-until-signal.js')
      const logger = createLogger({ level: config.logLevel })
      const node = await startJadfsNode(config, { logger, version: packageVersion() })
      await runUntilSignal(node, logger)
    })
}
