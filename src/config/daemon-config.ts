// Daemon configuration: each option comes from its flag, else its JADFS_* variable, else
// its default, and is validated with zod. A bad value is an operating error with one line
// that names the option, where it came from and what is accepted, so the CLI can print it
// and exit with the usage code.
import path from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { JadfsError } from '../errors.js'
import { MAX_REPLICATION_FACTOR } from '../files/replication-limit.js'
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
  /** disk space chunks never take: room for the metadata, the Raft log and the logs */
  readonly reservedFreeBytes: number
  /** bounded wait for in-flight requests on shutdown */
  readonly shutdownGraceMs: number
  /** an API client sending nothing mid-upload, or taking nothing mid-download, for this long is cut off */
  readonly clientIdleTimeoutMs: number
  /** peer-to-peer listen multiaddrs */
  readonly listen: readonly string[]
  /** addresses to advertise instead of the listen addresses */
  readonly announce: readonly string[]
  /** peers of an existing cluster to join through; none: a new data dir starts a cluster */
  readonly join: readonly string[]
  /** voter set size the leader grows the cluster to (odd) */
  readonly targetVoters: number
  /** copies of each chunk when a put does not say */
  readonly replicationFactor: number
  readonly heartbeatIntervalMs: number
  /** a voter silent this long is replaced by a healthy learner */
  readonly replaceDeadVoterAfterMs: number
  /** the Raft log is snapshotted and compacted every this many applied entries */
  readonly snapshotEveryEntries: number
  /** garbage collection runs this often on its own; 0 = only when asked (POST /v1/gc) */
  readonly gcIntervalMs: number
  /** a pass re-hashing every stored chunk starts this long after the last; 0 = never */
  readonly scrubIntervalMs: number
  /** the private cluster's key file; null: any peer that can reach this one may connect */
  readonly clusterKeyFile: string | null
  /** the API token file; null: the API answers whoever reaches it */
  readonly apiTokenFile: string | null
}

/** raw option values as commander hands them over (all strings, absent when not given) */
export interface DaemonFlags {
  readonly dataDir?: string
  readonly apiListen?: string
  readonly chunkSize?: string
  readonly logLevel?: string
  readonly gcGrace?: string
  readonly maxFileSize?: string
  readonly reserve?: string
  readonly shutdownGrace?: string
  readonly clientIdleTimeout?: string
  readonly voters?: string
  readonly replication?: string
  readonly heartbeatInterval?: string
  readonly replaceDeadVoterAfter?: string
  readonly snapshotEvery?: string
  readonly gcInterval?: string
  readonly scrubInterval?: string
  readonly clusterKey?: string
  readonly apiTokenFile?: string
  /** repeatable flags arrive as arrays */
  readonly listen?: readonly string[]
  readonly announce?: readonly string[]
  readonly join?: readonly string[]
}

type ScalarFlag = Exclude<keyof DaemonFlags, 'listen' | 'announce' | 'join'>

interface OptionSpec {
  readonly key: ScalarFlag
  readonly flag: string
  readonly env: string
  /** undefined: the option is off unless given (a file it names) */
  readonly defaultValue: string | undefined
}

const OPTIONS: readonly OptionSpec[] = [
  { key: 'dataDir', flag: '--data-dir', env: 'JADFS_DATA_DIR', defaultValue: './.jadfs' },
  { key: 'apiListen', flag: '--api-listen', env: 'JADFS_API_LISTEN', defaultValue: '127.0.0.1:5080' },
  { key: 'chunkSize', flag: '--chunk-size', env: 'JADFS_CHUNK_SIZE', defaultValue: '64MiB' },
  { key: 'logLevel', flag: '--log-level', env: 'JADFS_LOG_LEVEL', defaultValue: 'info' },
  { key: 'gcGrace', flag: '--gc-grace', env: 'JADFS_GC_GRACE', defaultValue: '15m' },
  { key: 'maxFileSize', flag: '--max-file-size', env: 'JADFS_MAX_FILE_SIZE', defaultValue: '1TiB' },
  { key: 'reserve', flag: '--reserve', env: 'JADFS_RESERVE', defaultValue: '256MiB' },
  { key: 'shutdownGrace', flag: '--shutdown-grace', env: 'JADFS_SHUTDOWN_GRACE', defaultValue: '10s' },
  { key: 'clientIdleTimeout', flag: '--client-idle-timeout', env: 'JADFS_CLIENT_IDLE_TIMEOUT', defaultValue: '2m' },
  { key: 'voters', flag: '--voters', env: 'JADFS_VOTERS', defaultValue: '3' },
  { key: 'replication', flag: '--replication', env: 'JADFS_REPLICATION', defaultValue: '3' },
  { key: 'heartbeatInterval', flag: '--heartbeat-interval', env: 'JADFS_HEARTBEAT_INTERVAL', defaultValue: '2s' },
  { key: 'replaceDeadVoterAfter', flag: '--replace-dead-voter-after', env: 'JADFS_REPLACE_DEAD_VOTER_AFTER', defaultValue: '30s' },
  { key: 'snapshotEvery', flag: '--snapshot-every', env: 'JADFS_SNAPSHOT_EVERY', defaultValue: '10000' },
  { key: 'gcInterval', flag: '--gc-interval', env: 'JADFS_GC_INTERVAL', defaultValue: '10m' },
  { key: 'scrubInterval', flag: '--scrub-interval', env: 'JADFS_SCRUB_INTERVAL', defaultValue: '24h' },
  { key: 'clusterKey', flag: '--cluster-key', env: 'JADFS_CLUSTER_KEY', defaultValue: undefined },
  { key: 'apiTokenFile', flag: '--api-token-file', env: 'JADFS_API_TOKEN_FILE', defaultValue: undefined }
]

interface ListOptionSpec {
  readonly key: 'listen' | 'announce' | 'join'
  readonly flag: string
  readonly env: string
  readonly defaultValue: readonly string[]
}

const LIST_OPTIONS: readonly ListOptionSpec[] = [
  { key: 'listen', flag: '--listen', env: 'JADFS_LISTEN', defaultValue: ['/ip4/127.0.0.1/tcp/5081'] },
  { key: 'announce', flag: '--announce', env: 'JADFS_ANNOUNCE', defaultValue: [] },
  { key: 'join', flag: '--join', env: 'JADFS_JOIN', defaultValue: [] }
]

export const MAX_TARGET_VOTERS = 7

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

const wholeNumber = (min: number, max: number, hint: string): z.ZodType<number, string> =>
  z.string().transform((text, ctx) => {
    const n = Number(text)
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: hint })
      return z.NEVER
    }
    return n
  })

const positiveDuration = duration.refine((ms) => ms > 0, 'expected a positive duration like 500ms or 2s')

const FIELD_SCHEMAS: { readonly [K in ScalarFlag]-?: z.ZodType<unknown, string> } = {
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
  reserve: sizeBetween(0, Number.MAX_SAFE_INTEGER, 'expected a size like 256MiB or 10GiB (0 keeps nothing free)'),
  shutdownGrace: duration,
  clientIdleTimeout: duration.refine((ms) => ms >= 1000, 'expected at least 1s, like 30s or 2m'),
  voters: wholeNumber(1, MAX_TARGET_VOTERS, `expected an odd number of voters from 1 to ${MAX_TARGET_VOTERS}, like 3 or 5`).refine((n) => n % 2 === 1, 'the voter count must be odd (1, 3, 5 or 7): an even count tolerates no more failures than the odd count below it'),
  replication: wholeNumber(1, MAX_REPLICATION_FACTOR, `expected copies per chunk from 1 to ${MAX_REPLICATION_FACTOR}`),
  heartbeatInterval: positiveDuration,
  replaceDeadVoterAfter: positiveDuration,
  snapshotEvery: wholeNumber(1, 10_000_000, 'expected a number of log entries from 1 to 10000000'),
  gcInterval: duration,
  scrubInterval: duration,
  // read and checked when the peer starts (files, not values); an empty flag must not turn
  // a private cluster or a token-guarded API into an open one
  clusterKey: z.string().min(1, 'expected the path of a key file'),
  apiTokenFile: z.string().min(1, 'expected the path of a token file')
}

export function resolveDaemonConfig (flags: DaemonFlags, env: Readonly<Record<string, string | undefined>>, cwd: string): DaemonConfig {
  const values: Partial<Record<keyof DaemonFlags, unknown>> = {}
  for (const option of OPTIONS) {
    // an empty flag is a value (and refused where that is invalid); an empty variable is unset
    const [raw, source] = pick(option, flags[option.key], given(env[option.env]), option.defaultValue)
    if (raw === undefined) continue
    const result = FIELD_SCHEMAS[option.key].safeParse(raw)
    if (!result.success) throw invalid(option, source, raw, result.error.issues[0]?.message ?? 'invalid value')
    values[option.key] = result.data
  }
  const lists: Partial<Record<ListOptionSpec['key'], string[]>> = {}
  for (const option of LIST_OPTIONS) {
    // a variable that lists no address (blank, or only separators) is unset, like an empty flag list
    const fromEnv = (env[option.env] ?? '').split(/[\s,]+/).filter((a) => a !== '')
    const [raw, source] = pick(option, given(flags[option.key]), given(fromEnv), option.defaultValue)
    for (const addr of raw) {
      const why = multiaddrProblem(addr)
      if (why !== undefined) throw invalid(option, source, addr, `${why}; expected a multiaddr like /ip4/10.0.0.2/tcp/5081${option.key === 'join' ? '/p2p/12D3Koo...' : ''}`)
    }
    // a copy, so the config never shares an array with the flags or the defaults
    lists[option.key] = [...raw]
  }
  return {
    dataDir: path.resolve(cwd, values.dataDir as string),
    apiListen: values.apiListen as ListenAddress,
    chunkSizeBytes: values.chunkSize as number,
    logLevel: values.logLevel as LogLevel,
    gcGraceMs: values.gcGrace as number,
    maxFileSizeBytes: values.maxFileSize as number,
    reservedFreeBytes: values.reserve as number,
    shutdownGraceMs: values.shutdownGrace as number,
    clientIdleTimeoutMs: values.clientIdleTimeout as number,
    listen: lists.listen ?? [],
    announce: lists.announce ?? [],
    join: lists.join ?? [],
    targetVoters: values.voters as number,
    replicationFactor: values.replication as number,
    heartbeatIntervalMs: values.heartbeatInterval as number,
    replaceDeadVoterAfterMs: values.replaceDeadVoterAfter as number,
    snapshotEveryEntries: values.snapshotEvery as number,
    gcIntervalMs: values.gcInterval as number,
    scrubIntervalMs: values.scrubInterval as number,
    clusterKeyFile: values.clusterKey === undefined ? null : path.resolve(cwd, values.clusterKey as string),
    apiTokenFile: values.apiTokenFile === undefined ? null : path.resolve(cwd, values.apiTokenFile as string)
  }
}

/** The flag's value, else the variable's, else the default; with where it came from, for errors. */
function pick<T> (option: { readonly flag: string, readonly env: string }, fromFlag: T | undefined, fromEnv: T | undefined, defaultValue: T): [T, string] {
  if (fromFlag !== undefined) return [fromFlag, option.flag]
  if (fromEnv !== undefined) return [fromEnv, `${option.env} (for ${option.flag})`]
  return [defaultValue, `default of ${option.flag}`]
}

/** an empty string or list counts as not given */
function given<T extends { readonly length: number }> (value: T | undefined): T | undefined {
  return value === undefined || value.length === 0 ? undefined : value
}

function invalid (option: { readonly flag: string }, source: string, value: string, reason: string): JadfsError {
  return new JadfsError('INVALID_CONFIG', `invalid ${source}: ${JSON.stringify(value)}: ${reason}`, { details: { option: option.flag } })
}

/** why the text is not a multiaddr (checked here, so the error names the option and its source) */
function multiaddrProblem (text: string): string | undefined {
  if (!text.startsWith('/')) return 'not a multiaddr'
  try {
    multiaddr(text)
    return undefined
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'not a multiaddr'
  }
}
