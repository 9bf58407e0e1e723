// Daemon configuration: each option comes from its flag, else its JADFS_* variable, else
// its default, and is validated with zod. A bad value is an operating error with one line
// that names the option, where it came from and what is accepted, so the CLI can print it
// and exit with the usage code.
import path from 'node:path'
import { z } from 'zod'
import { JadfsError } from '../errors.js'
import { parseDurationMs } from './parse-duration.js'
import { parseListenAddress, type ListenAddress } from './listen-address.js'
import { parseSizeBytes } from './parse-size.js'

export const MIN_CHUNK_SIZE_BYTES = 64 * 1024
export const MAX_CHUNK_SIZE_BYTES = 256 * 1024 * 1024
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export interface DaemonConfig {
  readonly dataDir: string
  readonly apiListen: ListenAddress
  readonly chunkSizeBytes: number
  readonly logLevel: LogLevel
  readonly gcGraceMs: number
  readonly maxFileSizeBytes: number
  /** bounded wait for in-flight requests on shutdown */
  readonly shutdownGraceMs: number
}

/** raw option values as commander hands them over (all strings, absent when not given) */
export interface DaemonFlags {
  readonly dataDir?: string
  readonly apiListen?: string
  readonly chunkSize?: string
  readonly logLevel?: string
  readonly gcGrace?: string
  readonly maxFileSize?: string
  readonly shutdownGrace?: string
}

interface OptionSpec {
  readonly key: keyof DaemonFlags
  readonly flag: string
  readonly env: string
  readonly defaultValue: string
}

const OPTIONS: readonly OptionSpec[] = [
  { key: 'dataDir', flag: '--data-dir', env: 'JADFS_DATA_DIR', defaultValue: './.jadfs' },
  { key: 'apiListen', flag: '--api-listen', env: 'JADFS_API_LISTEN', defaultValue: '127.0.0.1:5080' },
  { key: 'chunkSize', flag: '--chunk-size', env: 'JADFS_CHUNK_SIZE', defaultValue: '64MiB' },
  { key: 'logLevel', flag: '--log-level', env: 'JADFS_LOG_LEVEL', defaultValue: 'info' },
  { key: 'gcGrace', flag: '--gc-grace', env: 'JADFS_GC_GRACE', defaultValue: '15m' },
  { key: 'maxFileSize', flag: '--max-file-size', env: 'JADFS_MAX_FILE_SIZE', defaultValue: '1TiB' },
  { key: 'shutdownGrace', flag: '--shutdown-grace', env: 'JADFS_SHUTDOWN_GRACE', defaultValue: '10s' }
]

const sizeBetween = (minBytes: number, maxBytes: number, hint: string): z.ZodType<number, string> =>
  z.string().transform((text, ctx) => {
    const bytes = parseSizeBytes(text)
    if (bytes === undefined || bytes < minBytes || bytes > maxBytes) {
      ctx.addIssue({ code: 'custom', message: hint })
      return z.NEVER
    }
    return bytes
  })

const duration = z.string().transform((text, ctx) => {
  const ms = parseDurationMs(text)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration like 0s, 500ms, 15m or 1h' })
    return z.NEVER
  }
  return ms
})

const FIELD_SCHEMAS: { readonly [K in keyof DaemonFlags]-?: z.ZodType<unknown, string> } = {
  dataDir: z.string().min(1, 'expected a directory path'),
  apiListen: z.string().transform((text, ctx) => {
    const address = parseListenAddress(text)
    if (address === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected HOST:PORT like 127.0.0.1:5080 (port 0..65535)' })
      return z.NEVER
    }
    return address
  }),
  chunkSize: sizeBetween(MIN_CHUNK_SIZE_BYTES, MAX_CHUNK_SIZE_BYTES, 'expected a size from 64KiB to 256MiB like 1MiB, 64MiB or 1048576'),
  logLevel: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }),
  gcGrace: duration,
  maxFileSize: sizeBetween(1, Number.MAX_SAFE_INTEGER, 'expected a positive size like 10GiB'),
  shutdownGrace: duration
}

export function resolveDaemonConfig (flags: DaemonFlags, env: Readonly<Record<string, string | undefined>>, cwd: string): DaemonConfig {
  const values: Partial<Record<keyof DaemonFlags, unknown>> = {}
  for (const option of OPTIONS) {
    const fromFlag = flags[option.key]
    const fromEnv = env[option.env]
    const [raw, source] = fromFlag !== undefined
      ? [fromFlag, option.flag]
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, `${option.env} (for ${option.flag})`]
        : [option.defaultValue, `default of ${option.flag}`]
    const result = FIELD_SCHEMAS[option.key].safeParse(raw)
    if (!result.success) {
      const reason = result.error.issues[0]?.message ?? 'invalid value'
      throw new JadfsError('INVALID_CONFIG', `invalid ${source}: ${JSON.stringify(raw)}: ${reason}`, { details: { option: option.flag } })
    }
    values[option.key] = result.data
  }
  return {
    dataDir: path.resolve(cwd, values.dataDir as string),
    apiListen: values.apiListen as ListenAddress,
    chunkSizeBytes: values.chunkSize as number,
    logLevel: values.logLevel as LogLevel,
    gcGraceMs: values.gcGrace as number,
    maxFileSizeBytes: values.maxFileSize as number,
    shutdownGraceMs: values.shutdownGrace as number
  }
}
