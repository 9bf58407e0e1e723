// jadfs daemon: runs one node in the foreground until SIGTERM/SIGINT.
import type { Command } from 'commander'
import type { DaemonFlags } from '../../config/daemon-config.js'
import { MAX_REPLICATION_FACTOR } from '../../files/replication-limit.js'
import type { CommandContext } from '../command-context.js'
import { packageVersion } from '../version.js'

export function registerDaemonCommand (program: Command, ctx: CommandContext): void {
  program.command('daemon')
    .summary('run a JaDFS node')
    .description('Run a JaDFS peer in the foreground, with its data in --data-dir and the HTTP API on --api-listen. Without --join, a new data dir starts a new cluster with this peer as its first voter; with --join, the peer joins the cluster of the peers named and the leader adds it (first as a learner, then as a voter while the cluster has fewer than --voters). Options taking addresses accept several (--join A B, or --join A --join B); their variables take a comma-separated list. Each option falls back to its JADFS_* variable, then to its default. Logs are JSON lines on stdout. SIGTERM or SIGINT stops it cleanly.')
    .option('--data-dir <dir>', 'where chunks and metadata live (env JADFS_DATA_DIR, default ./.jadfs)')
    .option('--api-listen <host:port>', 'HTTP API address (env JADFS_API_LISTEN, default 127.0.0.1:5080)')
    .option('--api-token-file <file>', 'require this token (make one with `jadfs api-token FILE`) on every API request but /v1/health; clients pass the same file (env JADFS_API_TOKEN_FILE; default none: whoever reaches --api-listen may read, write and delete)')
    .option('--chunk-size <size>', 'default chunk size for new files, 64KiB..256MiB (env JADFS_CHUNK_SIZE, default 64MiB)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env JADFS_LOG_LEVEL, default info)')
    .option('--gc-interval <duration>', 'collect garbage on its own this often, 0s for only when asked (env JADFS_GC_INTERVAL, default 10m)')
    .option('--scrub-interval <duration>', 're-hash every stored chunk (at most 64 MB/s) this long after the last pass, healing bad copies from peers; 0s = never (env JADFS_SCRUB_INTERVAL, default 24h)')
    .option('--gc-grace <duration>', 'unreferenced chunks and temp files younger than this are kept (env JADFS_GC_GRACE, default 15m)')
    .option('--max-file-size <size>', 'largest accepted upload (env JADFS_MAX_FILE_SIZE, default 1TiB)')
    .option('--reserve <size>', 'disk space chunks never take, kept for the metadata, Raft log and logs: puts, copies from peers and cached copies stop short of it (env JADFS_RESERVE, default 256MiB)')
    .option('--shutdown-grace <duration>', 'how long in-flight requests may take to finish on shutdown (env JADFS_SHUTDOWN_GRACE, default 10s)')
    .option('--client-idle-timeout <duration>', 'an API client that sends nothing mid-upload, or takes nothing mid-download, this long is cut off; at least 1s (env JADFS_CLIENT_IDLE_TIMEOUT, default 2m)')
    .option('--listen <multiaddr...>', 'peer-to-peer address, repeatable; /tcp/0 picks a free port (env JADFS_LISTEN, default /ip4/127.0.0.1/tcp/5081)')
    .option('--announce <multiaddr...>', 'address other peers should dial instead of the listen addresses, repeatable (env JADFS_ANNOUNCE)')
    .option('--join <multiaddr...>', 'a peer of the cluster to join, ending in /p2p/<peer id>, repeatable (env JADFS_JOIN)')
    .option('--voters <n>', 'Raft voters the cluster grows to: 1, 3, 5 or 7 (env JADFS_VOTERS, default 3)')
    .option('--replication <n>', `copies of each chunk when a put does not say, 1..${MAX_REPLICATION_FACTOR} (env JADFS_REPLICATION, default 3)`)
    .option('--heartbeat-interval <duration>', 'gossip heartbeat period; a peer is suspect after 3 and dead after 7 missed (env JADFS_HEARTBEAT_INTERVAL, default 2s)')
    .option('--snapshot-every <entries>', 'snapshot the namespace and compact the Raft log every this many entries (env JADFS_SNAPSHOT_EVERY, default 10000)')
    .option('--cluster-key <file>', 'a private cluster\'s key file (make one with `jadfs cluster key FILE`, give every peer a copy): only peers with the same key can connect (env JADFS_CLUSTER_KEY; default none: any peer that reaches this one may join)')
    .option('--replace-dead-voter-after <duration>', 'a voter silent this long is replaced by a healthy learner (env JADFS_REPLACE_DEAD_VOTER_AFTER, default 30s)')
    .addHelpText('after', `
Examples:
  $ jadfs daemon                                   # ./.jadfs, API on 127.0.0.1:5080, peers on 127.0.0.1:5081
  $ jadfs daemon --data-dir /srv/jadfs --api-listen 0.0.0.0:5080 --listen /ip4/0.0.0.0/tcp/5081 \\
      --announce /ip4/10.0.0.1/tcp/5081            # the first machine of a cluster
  $ jadfs daemon --data-dir /srv/jadfs --listen /ip4/0.0.0.0/tcp/5081 \\
      --join /ip4/10.0.0.1/tcp/5081/p2p/12D3KooW...  # every other machine (jadfs id on the first prints the address)
  $ jadfs daemon --data-dir /srv/jadfs --api-listen 0.0.0.0:5080 --api-token-file /etc/jadfs/token
  $ JADFS_LOG_LEVEL=debug jadfs daemon --gc-grace 1h`)
    .action(async (flags: DaemonFlags) => {
      // Loaded here so client commands start fast without the server, store, SQLite and the
      // config schema (zod).
      const { resolveDaemonConfig } = await import('../../config/daemon-config.js')
      const config = resolveDaemonConfig(flags, ctx.io.env, ctx.io.cwd)
      const { createLogger } = await import('../../log/logger.js')
      const { startJadfsNode } = await import('../../node/jadfs-node.js')
      const { runUntilSignal } = await import('../../node/run-until-signal.js')
      const logger = createLogger({ level: config.logLevel })
      const node = await startJadfsNode(config, { logger, version: packageVersion() })
      await runUntilSignal(node, logger)
      // everything is closed and logged (synchronously): libp2p's leftover timers would
      // otherwise keep the process for a few more seconds
      ctx.io.exit?.(0)
    })
}
