// jadfs put LOCAL [REMOTE]: streams a local file (or stdin) to the daemon and checks that the
// SHA-256 the daemon recorded is that of the bytes sent.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { Option } from 'commander'
import { formatBytes, parseSizeBytes } from '../../config/parse-size.js'
import { JadfsError } from '../../errors.js'
import { MAX_REPLICATION_FACTOR } from '../../files/replication-limit.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'
import { startProgress } from '../progress.js'
import { remotePathFor } from '../remote-path.js'

const READ_BUFFER_BYTES = 1024 * 1024

interface PutFlags extends ClientOptions {
  readonly chunkSize?: string
  readonly replication?: string
  readonly mode?: string
  readonly allowFewer?: boolean
  readonly progress: boolean
}

export function registerPutCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('put')
    .summary('store a local file (or stdin) in JaDFS')
    .description('Store a local file, or standard input with "-", under a remote path. Overwriting an existing path replaces it atomically.')
    .argument('<local>', 'local file to upload, or - for standard input')
    .argument('[remote]', 'remote path (default: /<name of LOCAL>; ending in / puts the file in that folder)')
    .option('--chunk-size <size>', 'chunk size for this file, 64KiB..256MiB (e.g. 1MiB); default: the daemon\'s')
    .option('--replication <n>', `copies of each chunk the cluster should keep, 1..${MAX_REPLICATION_FACTOR}; when given, a sync put fails with REPLICATION_UNAVAILABLE if fewer peers are live. Without it the daemon's --replication is best effort: copies that cannot be made now are recorded as debt and made when peers appear`)
    .addOption(new Option('--mode <mode>', 'replicate before (sync) or after (async) acknowledging').choices(['sync', 'async']))
    .option('--allow-fewer', 'in sync mode, store as many copies as there are live peers when that is fewer than --replication, instead of failing with REPLICATION_UNAVAILABLE')
    .option('--no-progress', 'never draw a progress bar'))
    .addHelpText('after', `
Examples:
  $ jadfs put report.pdf                  # stored as /report.pdf
  $ jadfs put report.pdf /docs/           # stored as /docs/report.pdf
  $ jadfs put big.iso /isos/big.iso --chunk-size 16MiB --replication 2
  $ tar c src | jadfs put - /backups/src.tar
  $ jadfs put db.dump /backups/ --replication 3 --allow-fewer   # even with only 2 peers up`)
    .action(async (local: string, remote: string | undefined, flags: PutFlags) => {
      const io = ctx.io
      if (local === '-' && remote === undefined) throw new JadfsError('INVALID_ARGUMENT', 'put - (standard input) needs a REMOTE path')
      const client = clientFrom(flags, io)
      let chunkSize: string | undefined
      if (flags.chunkSize !== undefined) {
        const bytes = parseSizeBytes(flags.chunkSize)
        if (bytes === undefined) throw new JadfsError('INVALID_ARGUMENT', `--chunk-size ${JSON.stringify(flags.chunkSize)} is not a size like 1MiB`)
        chunkSize = String(bytes)
      }
      let replication: number | undefined
      if (flags.replication !== undefined) {
        replication = Number(flags.replication)
        if (!/^\d+$/.test(flags.replication) || replication < 1 || replication > MAX_REPLICATION_FACTOR) {
          throw new JadfsError('INVALID_ARGUMENT', `--replication must be a whole number from 1 to ${MAX_REPLICATION_FACTOR}`)
        }
      }
      const remotePath = local === '-' ? remotePathFor(remote, 'stdin') : remotePathFor(remote, local)
      let sizeBytes: number | undefined
      let source: AsyncIterable<Uint8Array>
      if (local === '-') {
        source = io.stdin
      } else {
        sizeBytes = await localFileSize(local)
        source = createReadStream(local, { highWaterMark: READ_BUFFER_BYTES })
      }
      const hash = createHash('sha256')
      const progress = startProgress(io, `put ${remotePath}`, sizeBytes, flags.progress)
      const startedAtMs = Date.now()
      let record
      try {
        record = await client.putFile(remotePath, hashing(source, hash), { sizeBytes, chunkSize, replication, mode: flags.mode, allowFewer: flags.allowFewer, onProgress: (n) => { progress.add(n) } })
      } finally {
        progress.stop()
      }
      const sentSha256 = hash.digest('hex')
      if (record.sha256 !== sentSha256) {
        throw new JadfsError('CHECKSUM_MISMATCH', `the daemon recorded sha256 ${record.sha256} for ${record.path} but the bytes sent hash to ${sentSha256}`)
      }
      if (flags.json === true) {
        printJson(io.stdout, record)
      } else {
        const seconds = Math.max((Date.now() - startedAtMs) / 1000, 0.001)
        printLines(io.stdout, [`stored ${record.path}  ${formatBytes(record.sizeBytes)}  ${record.chunks.length} chunk(s)  version ${record.version}  sha256 ${record.sha256}  (${formatBytes(Math.round(record.sizeBytes / seconds))}/s)`])
      }
    })
}

async function localFileSize (local: string): Promise<number> {
  try {
    const info = await stat(local)
    if (!info.isFile()) throw new JadfsError('INVALID_ARGUMENT', `${local} is not a regular file`)
    return info.size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new JadfsError('FILE_NOT_FOUND', `local file ${local} does not exist`)
    throw err
  }
}

async function * hashing (source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    hash.update(piece)
    yield piece
  }
}
