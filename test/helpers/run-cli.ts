// Runs the real CLI (node bin/jadfs ...) as a child process and collects its exit code,
// stdout (bytes) and stderr (text). Input can be a string, bytes or a file streamed to stdin.
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { jadfsBin } from './repo-root.js'

export interface CliResult {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

export interface RunCliOptions {
  readonly apiUrl?: string
  readonly cwd?: string
  readonly env?: Record<string, string>
  readonly stdin?: string | Buffer | { file: string }
  readonly timeoutMs?: number
}

export async function runCli (args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env }
  if (options.apiUrl !== undefined) env.JADFS_API = options.apiUrl
  const child = spawn(process.execPath, [jadfsBin(), ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  child.stdin.on('error', () => {})
  const input = options.stdin
  if (input === undefined) child.stdin.end()
  else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input)
  else createReadStream(input.file).pipe(child.stdin)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => { resolve(c) }))
  clearTimeout(timer)
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }
}

/** runs the CLI and fails with its output when it does not exit 0 */
export async function runCliOk (args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const result = await runCli(args, options)
  if (result.code !== 0) throw new Error(`jadfs ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}${result.stdout.toString().slice(0, 500)}`)
  return result
}
