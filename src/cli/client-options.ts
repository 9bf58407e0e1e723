// The options every client command shares: --api, --json, --timeout.
import { Command, Option } from 'commander'
import { parseDurationMs } from '../config/parse-duration.js'
import { JadfsError } from '../errors.js'
import { ApiClient } from './api-client.js'
import type { CliIo } from './cli-io.js'

export const DEFAULT_API_URL = 'http://127.0.0.1:5080'

export interface ClientOptions {
  readonly api?: string
  readonly json?: boolean
  readonly timeout?: string
}

export function addClientOptions (command: Command): Command {
  return command
    .addOption(new Option('--api <url>', `daemon API URL (env JADFS_API, default ${DEFAULT_API_URL})`))
    .option('--json', 'print the result as JSON for scripts')
    .option('--timeout <duration>', 'give up when a transfer makes no progress for this long', '30s')
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
  return new ApiClient({ baseUrl, idleTimeoutMs })
}
