// jadfs get REMOTE [LOCAL|-]: streams a file from the daemon to a local file (written to a
// temporary name beside it and renamed when complete and verified, so a failed get never
// leaves a partial file) or to standard output.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import { formatBytes } from '../../config/parse-size.js'
import { JadfsError, isJadfsError } from '../../errors.js'
import type { ApiClient, OpenedFile } from '../api-client.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import type { CommandContext } from '../command-context.js'
import { printJson, printLines } from '../output.js'
import { startProgress, type Progress } from '../progress.js'
import { absoluteRemote, remoteBasename } from '../remote-path.js'

interface GetFlags extends ClientOptions {
  readonly range?: string
  readonly stale?: boolean
  readonly progress: boolean
}

export function registerGetCommand (program: Command, ctx: CommandContext): void {
  addClientOptions(program.command('get')
    .summary('fetch a file from JaDFS')
    .description('Fetch a remote file into a local file (default: its name in the current directory) or, with "-", to standard output. The whole-file SHA-256 is checked before the local file appears.')
    .argument('<remote>', 'remote path')
    .argument('[local]', 'local file to write, or - for standard output')
    .option('--range <first-last>', 'only bytes FIRST..LAST (inclusive, from 0), e.g. 0-1023, 1000- or -500 (the last 500)')
    .option('--no-progress', 'never draw a progress bar')
    .option('--stale', 'read this peer\'s local copy, which may lag the leader, instead of confirming the latest state with the leader (faster; works without a quorum)'))
    .addHelpText('after', `
Examples:
  $ jadfs get /docs/report.pdf            # writes ./report.pdf
  $ jadfs get /docs/report.pdf out.pdf
  $ jadfs get /backups/src.tar - | tar x
  $ jadfs get /logs/app.log - --range -4096
  $ jadfs get /docs/report.pdf --stale    # from this peer's copy, even without a quorum`)
    .action(async (remote: string, local: string | undefined, flags: GetFlags) => {
      const io = ctx.io
      const client = clientFrom(flags, io)
      const remotePath = absoluteRemote(remote)
      const range = flags.range === undefined ? undefined : rangeHeader(flags.range)
      const target = await localTarget(local, remotePath, io.cwd)
      // Ctrl-C aborts the transfer so the temporary file is removed rather than left behind.
      const interrupt = new AbortController()
      const stopListening = io.onInterrupt?.(() => { interrupt.abort(new JadfsError('INTERRUPTED', `interrupted; ${target === '-' ? 'output is incomplete' : 'no local file was written'}`)) })
      try {
        await fetchInto(client, remotePath, target, range, flags, io, interrupt.signal)
      } finally {
        stopListening?.()
      }
    })
}

async function fetchInto (client: ApiClient, remotePath: string, target: string, range: string | undefined, flags: GetFlags, io: CommandContext['io'], signal: AbortSignal): Promise<void> {
  const opened = await client.openFile(remotePath, { range, signal, stale: flags.stale })
  const progress = startProgress(io, `get ${remotePath}`, opened.contentLength, flags.progress)
  const hash = createHash('sha256')
  const counter = { bytes: 0 }
  const startedAtMs = Date.now()
  try {
    const body = Readable.from(counting(opened.body, hash, counter, progress))
    if (target === '-') {
      await pipeline(body, io.stdout, { end: false })
      await checkComplete(client, remotePath, opened, counter.bytes, range === undefined ? hash : undefined, flags.stale)
    } else {
      await writeAtomically(path.resolve(io.cwd, target), body, async () => {
        await checkComplete(client, remotePath, opened, counter.bytes, range === undefined ? hash : undefined, flags.stale)
      })
    }
  } catch (err) {
    if (isJadfsError(err) && err.code !== 'DAEMON_UNREACHABLE') throw err
    if (counter.bytes < opened.contentLength) throw await diagnoseShortBody(client, remotePath, opened, counter.bytes, err, flags.stale)
    throw err
  } finally {
    progress.stop()
    opened.close()
  }
  if (target === '-') return
  const summary = { path: remotePath, local: path.resolve(io.cwd, target), sizeBytes: counter.bytes, sha256: opened.sha256 ?? null, range: range ?? null }
  if (flags.json === true) {
    printJson(io.stdout, summary)
  } else {
    const seconds = Math.max((Date.now() - startedAtMs) / 1000, 0.001)
    printLines(io.stdout, [`fetched ${remotePath} → ${target}  ${formatBytes(counter.bytes)}  (${formatBytes(Math.round(counter.bytes / seconds))}/s)`])
  }
}

/** LOCAL as given ('-' is stdout); an existing directory, or nothing, means the remote's name in it */
async function localTarget (local: string | undefined, remotePath: string, cwd: string): Promise<string> {
  if (local === '-') return local
  const name = remoteBasename(remotePath)
  const isDir = local !== undefined && await stat(path.resolve(cwd, local)).then((s) => s.isDirectory(), () => false)
  if (local !== undefined && !isDir) return local
  if (name === '') throw new JadfsError('INVALID_ARGUMENT', `cannot name a local file after ${JSON.stringify(remotePath)}; give LOCAL`)
  return local === undefined ? name : path.join(local, name)
}

function rangeHeader (text: string): string {
  if (!/^(\d+-\d*|-\d+)$/.test(text)) throw new JadfsError('INVALID_ARGUMENT', `--range ${JSON.stringify(text)} must look like 0-1023, 1000- or -500`)
  return `bytes=${text}`
}

async function * counting (source: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>, counter: { bytes: number }, progress: Progress): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    hash.update(piece)
    counter.bytes += piece.byteLength
    progress.add(piece.byteLength)
    yield piece
  }
}

async function checkComplete (client: ApiClient, remotePath: string, opened: OpenedFile, receivedBytes: number, wholeFileHash: ReturnType<typeof createHash> | undefined, stale: boolean | undefined): Promise<void> {
  if (receivedBytes !== opened.contentLength) throw await diagnoseShortBody(client, remotePath, opened, receivedBytes, undefined, stale)
  if (wholeFileHash !== undefined && opened.sha256 !== undefined) {
    const got = wholeFileHash.digest('hex')
    if (got !== opened.sha256) throw new JadfsError('CHECKSUM_MISMATCH', `${remotePath}: received bytes hash to ${got}, the daemon recorded ${opened.sha256}`)
  }
}

/**
 * The daemon cuts a download short when it finds a bad chunk after the headers were sent.
 * Asking again from the first missing byte makes it report the cause as a proper error.
 */
async function diagnoseShortBody (client: ApiClient, remotePath: string, opened: OpenedFile, receivedBytes: number, cause: unknown, stale: boolean | undefined): Promise<JadfsError> {
  const next = opened.rangeStart + receivedBytes
  const probe = new AbortController()
  try {
    const again = await client.openFile(remotePath, { range: `bytes=${next}-`, signal: probe.signal, stale })
    again.close()
  } catch (err) {
    if (isJadfsError(err) && err.code !== 'DAEMON_UNREACHABLE') return err
  } finally {
    probe.abort()
  }
  return new JadfsError('DAEMON_UNREACHABLE', `${remotePath}: the download stopped after ${receivedBytes} of ${opened.contentLength} bytes`, { cause })
}

/** writes into a temporary file beside the target, fsyncs, verifies, then renames it into place */
async function writeAtomically (target: string, body: Readable, verify: () => Promise<void>): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.jadfs-partial-${randomBytes(6).toString('hex')}`)
  try {
    await pipeline(body, createWriteStream(temp, { flags: 'wx' }))
    await verify()
    const handle = await open(temp, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
