// Runs the CLI's main() in this process with captured stdout and stderr: faster than a child
// process, and lets a test point the CLI at a fake API.
import { Readable, Writable } from 'node:stream'
import { main } from '../../src/cli/main.js'
import type { CliIo } from '../../src/cli/cli-io.js'

export class Capture extends Writable {
  text = ''
  constructor (readonly isTTY = false) { super() }
  override _write (chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

export interface MainRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export async function runMain (args: readonly string[], options: { api?: string, cwd?: string, env?: Record<string, string> } = {}): Promise<MainRun> {
  const stdout = new Capture()
  const stderr = new Capture()
  const env: Record<string, string> = { ...options.env }
  if (options.api !== undefined) env.JADFS_API = options.api
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, env, cwd: options.cwd ?? process.cwd() }
  const code = await main(['node', 'jadfs', ...args], io)
  return { code, stdout: stdout.text, stderr: stderr.text }
}
