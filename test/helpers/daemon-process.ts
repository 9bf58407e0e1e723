// Starts the real daemon (node bin/jadfs daemon) as a child process on a free port, waits
// until /v1/health answers, keeps its log lines, and stops it with a signal. Its peer listener
// takes any free port (--listen /ip4/127.0.0.1/tcp/0) unless args give --listen, so daemons of
// tests running in parallel never collide on the default peer port.
import { spawn, type ChildProcess } from 'node:child_process'
import { freePort } from './free-port.js'
import { jadfsBin } from './repo-root.js'

const ANY_PEER_PORT = '/ip4/127.0.0.1/tcp/0'

export interface DaemonProcess {
  readonly apiUrl: string
  readonly port: number
  readonly dataDir: string
  readonly child: ChildProcess
  /** stdout and stderr so far */
  logs (): string
  /** sends the signal (unless one was already sent) and waits for the exit */
  stop (signal?: NodeJS.Signals): Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface StartDaemonOptions {
  readonly dataDir: string
  readonly args?: readonly string[]
  readonly env?: Record<string, string>
  readonly startTimeoutMs?: number
}

export async function startDaemon (options: StartDaemonOptions): Promise<DaemonProcess> {
  const port = await freePort()
  const apiUrl = `http://127.0.0.1:${port}`
  const args = options.args ?? []
  const listen = args.includes('--listen') ? [] : ['--listen', ANY_PEER_PORT]
  const child = spawn(process.execPath, [jadfsBin(), 'daemon', '--data-dir', options.dataDir, '--api-listen', `127.0.0.1:${port}`, ...listen, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let logs = ''
  child.stdout?.on('data', (d: Buffer) => { logs += d.toString('utf8') })
  child.stderr?.on('data', (d: Buffer) => { logs += d.toString('utf8') })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => { resolve({ code, signal }) })
  })
  let hasExited = false
  void exited.then(() => { hasExited = true })

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000)
  while (true) {
    if (hasExited) throw new Error(`the daemon exited before it was healthy:\n${logs}`)
    try {
      const res = await fetch(`${apiUrl}/v1/health`, { signal: AbortSignal.timeout(1000) })
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the daemon did not become healthy in time:\n${logs}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  return {
    apiUrl,
    port,
    dataDir: options.dataDir,
    child,
    logs: () => logs,
    stop: async (signal = 'SIGTERM') => {
      // A second signal would make the daemon skip its clean shutdown.
      if (!hasExited && !child.killed) child.kill(signal)
      const killer = setTimeout(() => { child.kill('SIGKILL') }, 15_000)
      const result = await exited
      clearTimeout(killer)
      return result
    }
  }
}
