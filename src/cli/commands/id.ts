// jadfs id: the peer id and addresses of a running daemon (GET /v1/id), or, with --data-dir,
// the peer id kept in a data directory's identity.key without any daemon running.
import path from 'node:path'
import type { Command } from 'commander'
import { JadfsError } from '../../errors.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'

interface IdFlags extends ClientOptions {
  readonly dataDir?: string
}

export function registerIdCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('id')
    .summary('show a peer\'s id and addresses')
    .description('Print the peer id of the daemon at --api, then the multiaddrs it listens on (one per line; give one to `jadfs daemon --join`). With --data-dir, print the peer id stored in that data directory instead; no daemon is needed and no identity is ever created.')
    .option('--data-dir <dir>', 'read the peer id from <dir>/identity.key instead of asking a daemon'))
    .addHelpText('after', `
Examples:
  $ jadfs id
  $ jadfs id --api http://10.0.0.2:5080 --json
  $ jadfs id --data-dir /srv/jadfs
  $ jadfs daemon --data-dir b --join "$(jadfs id | sed -n 2p)"`)
    .action(async (flags: IdFlags) => {
      const io = ctx.io
      if (flags.dataDir !== undefined) {
        const peerId = await peerIdInDataDir(path.resolve(io.cwd, flags.dataDir))
        if (flags.json === true) printJson(io.stdout, { peerId })
        else printLines(io.stdout, [peerId])
        return
      }
      const id = await clientFrom(flags, io).id()
      if (flags.json === true) printJson(io.stdout, id)
      else printLines(io.stdout, [id.peerId, ...id.addrs])
    })
}

async function peerIdInDataDir (dataDir: string): Promise<string> {
  // Loaded here so the other commands start without the libp2p crypto modules.
  const { IDENTITY_FILE_NAME, loadExistingIdentity } = await import('../../p2p/identity.js')
  const identity = await loadExistingIdentity(dataDir)
  if (identity === undefined) {
    throw new JadfsError('FILE_NOT_FOUND', `no peer identity in ${dataDir}: ${path.join(dataDir, IDENTITY_FILE_NAME)} does not exist (a daemon creates it the first time it starts there)`)
  }
  return identity.peerId.toString()
}
