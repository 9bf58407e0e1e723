// jadfs api-token FILE: writes a new random API token for --api-token-file. Written locally,
// no daemon involved; the file is never overwritten, since the daemon and its clients hold it.
import path from 'node:path'
import type { Command } from 'commander'
import type { CommandContext } from '../command-context.js'
import { printLines } from '../output.js'

export function registerApiTokenCommand (program: Command, ctx: CommandContext): void {
  program.command('api-token')
    .summary('make a new API token file')
    .description('Writes a new random API token to FILE (readable by its owner only; an existing file is refused). Start the daemon with --api-token-file FILE and it answers only requests that carry the token (Authorization: Bearer), except GET /v1/health; give clients the same file with --api-token-file or JADFS_API_TOKEN_FILE.')
    .argument('<file>', 'where to write the token')
    .addHelpText('after', `
Examples:
  $ jadfs api-token /etc/jadfs/token
  $ jadfs daemon --api-listen 0.0.0.0:5080 --api-token-file /etc/jadfs/token ...
  $ JADFS_API_TOKEN_FILE=/etc/jadfs/token jadfs ls --api http://10.0.0.1:5080
  $ curl -H "Authorization: Bearer $(cat /etc/jadfs/token)" http://10.0.0.1:5080/v1/status`)
    .action(async (file: string) => {
      const { writeNewApiToken } = await import('../../api/api-token.js')
      const target = path.resolve(ctx.io.cwd, file)
      await writeNewApiToken(target)
      printLines(ctx.io.stderr, [`wrote a new API token to ${target}; start the daemon with --api-token-file ${target} and give its clients the same file`])
    })
}
