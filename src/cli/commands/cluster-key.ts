// jadfs cluster key FILE: writes a new random cluster key for --cluster-key. Written locally,
// no daemon involved; the file is never overwritten, since every peer holds a copy of it.
import path from 'node:path'
import type { Command } from 'commander'
import type { CommandContext } from '../command-context.js'
import { printLines } from '../output.js'

export function registerClusterKey (cluster: Command, ctx: CommandContext): void {
  cluster.command('key')
    .summary('make a new key for a private cluster')
    .description('Writes a new random key to FILE (readable by its owner only; an existing file is refused). Give every peer a copy and start each with --cluster-key FILE: a process without the key cannot connect to the peers at all. The format is the swarm key of IPFS private networks.')
    .argument('<file>', 'where to write the key')
    .addHelpText('after', `
Examples:
  $ jadfs cluster key /etc/jadfs/cluster.key
  $ jadfs daemon --cluster-key /etc/jadfs/cluster.key --listen /ip4/0.0.0.0/tcp/5081 ...
  $ jadfs cluster key /tmp/c.key && jadfs cluster up --nodes 3 --dir /tmp/c -- --cluster-key /tmp/c.key`)
    .action(async (file: string) => {
      const { writeNewClusterKey } = await import('../../p2p/cluster-key.js')
      const target = path.resolve(ctx.io.cwd, file)
      await writeNewClusterKey(target)
      printLines(ctx.io.stderr, [`wrote a new cluster key to ${target}; start every peer with --cluster-key ${target}`])
    })
}
