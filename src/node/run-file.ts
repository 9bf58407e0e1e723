// daemon.json in the data dir: how tools (jadfs id, the cluster harness, scripts) find a
// running daemon's API, peer id and addresses when it was asked for port 0. Written
// atomically (temp file, rename), removed on a clean stop; a stale one names a pid that is
// gone.
import { rename, writeFile } from 'node:fs/promises'

export const RUN_FILE_NAME = 'daemon.json'

export interface RunFile {
  readonly pid: number
  readonly apiUrl: string
  readonly peerId: string
  readonly addrs: readonly string[]
  readonly version: string
  readonly startedAtMs: number
}

export async function writeRunFile (path: string, contents: RunFile): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, JSON.stringify(contents, null, 2) + '\n', { mode: 0o644 })
  await rename(temp, path)
}
