// The options every client command shares: --api, --json, --timeout.
import path from 'node:path'
import { Command, Option } from 'commander'
import { readApiToken } from '../api/api-token.js'
import { parseDurationMs } from '../config/parse-duration.js'
import { JadfsError } from '../errors.js'
import { ApiClient } from './api-client.js'
import type { CliIo } from './cli-io.js'

export const DEFAULT_API_URL = 'http://127.0.0.1:5080'

export interface ClientOptions {
  readonly api?: string
  readonly json?: boolean
  readonly timeout?: string
  readonly apiTokenFile?: string
}

export function addClientOptions (command: Command): Command {
  return command
    .addOption(new Option('--api <url>', `daemon API URL (env JADFS_API, default ${DEFAULT_API_URL})`))
    .option('--json', 'print the result as JSON for scripts')
    .option('--timeout <duration>', 'give up when a transfer makes no progress for this long', '30s')
    .addOption(apiTokenFileOption())
}

export function clientFrom (options: ClientOptions, io: CliIo): ApiClient {
  const baseUrl = options.api ?? io.env.JADFS_API ?? DEFAULT_API_URL
  let parsed: URL
  try {
    parsed = new URL(baseUrl)
  } catch {
    throw new JadfsError('INVALID_ARGUMENT', `--api ${JSON.stringify(baseUrl)} is not a URL like ${DEFAULT_API_URL}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new JadfsError('INVALID_ARGUMENT', `--api ${JSON.stringify(baseUrl)} must be an http:// or https:// URL`)
  }
  const idleTimeoutMs = parseDurationMs(options.timeout ?? '30s')
  if (idleTimeoutMs === undefined || idleTimeoutMs <= 0) {
    throw new JadfsError('INVALID_ARGUMENT', `--timeout ${JSON.stringify(options.timeout)} is not a duration like 30s`)
  }
  const apiToken = apiTokenFrom(options.apiTokenFile, io)
  return new ApiClient({ baseUrl, idleTimeoutMs, ...(apiToken === undefined ? {} : { apiToken }) })
}

/** --api-token-file, for every command that talks to daemons */
export function apiTokenFileOption (): Option {
  return new Option('--api-token-file <file>', 'the daemon\'s API token file, for a daemon started with --api-token-file (env JADFS_API_TOKEN_FILE)')
}

/** the token in --api-token-file, else in JADFS_API_TOKEN_FILE; none when neither is given */
export function apiTokenFrom (flag: string | undefined, io: CliIo): string | undefined {
  const file = flag ?? (io.env.JADFS_API_TOKEN_FILE === '' ? undefined : io.env.JADFS_API_TOKEN_FILE)
  if (file === undefined) return undefined
  return readApiToken(path.resolve(io.cwd, file), flag === undefined ? 'JADFS_API_TOKEN_FILE' : '--api-token-file')
}
