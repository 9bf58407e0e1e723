// <data-dir>/daemon.json, which a daemon writes (atomically) once it is serving and removes on a
// clean stop: how the harness learns a node's API URL, peer id and addresses without parsing logs.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { RUN_FILE_NAME, type RunFile } from '../node/run-file.js'

export const DAEMON_FILE_NAME = RUN_FILE_NAME
export type DaemonFile = RunFile

/** the file's content, or undefined while it is missing or not (yet) a complete daemon.json */
export async function readDaemonFile (dataDir: string): Promise<DaemonFile | undefined> {
  let text: string
  try {
    text = await readFile(path.join(dataDir, DAEMON_FILE_NAME), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const value = JSON.parse(text) as Partial<DaemonFile>
    if (typeof value.pid !== 'number' || typeof value.apiUrl !== 'string' || typeof value.peerId !== 'string' || !Array.isArray(value.addrs)) return undefined
    return value as DaemonFile
  } catch {
    return undefined
  }
}
