// <dir>/cluster.json: the harness's record of the daemons it started, so that `jadfs cluster
// status` and `jadfs cluster down` (other processes, later) can find them. Nodes still starting
// are recorded with their pid and null addresses, so an interrupted start can still be stopped.
import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { JadfsError } from '../errors.js'

export const CLUSTER_FILE_NAME = 'cluster.json'

export interface ClusterFileNode {
  readonly index: number
  readonly dataDir: string
  readonly apiUrl: string | null
  readonly peerId: string | null
  readonly pid: number
  readonly addrs: readonly string[]
}

export interface ClusterFile {
  readonly nodes: readonly ClusterFileNode[]
}

export function clusterFilePath (dir: string): string {
  return path.join(dir, CLUSTER_FILE_NAME)
}

/** the recorded cluster, or undefined when dir has no cluster.json */
export async function readClusterFile (dir: string): Promise<ClusterFile | undefined> {
  const file = clusterFilePath(dir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let value: Partial<ClusterFile>
  try {
    value = JSON.parse(text) as Partial<ClusterFile>
  } catch (err) {
    throw new JadfsError('INVALID_ARGUMENT', `${file} is not JSON: ${(err as Error).message}`, { cause: err })
  }
  const valid = Array.isArray(value.nodes) && value.nodes.every((n: Partial<ClusterFileNode>) => typeof n.index === 'number' && typeof n.pid === 'number' && typeof n.dataDir === 'string')
  if (!valid) throw new JadfsError('INVALID_ARGUMENT', `${file} is not a cluster file written by \`jadfs cluster up\` (expected {"nodes":[{"index","pid","dataDir",…}]})`)
  return value as ClusterFile
}

/** the recorded cluster, or a FILE_NOT_FOUND error naming the directory */
export async function requireClusterFile (dir: string): Promise<ClusterFile> {
  const file = await readClusterFile(dir)
  if (file === undefined) throw new JadfsError('FILE_NOT_FOUND', `no cluster in ${dir}: ${clusterFilePath(dir)} does not exist (start one with \`jadfs cluster up --dir ${dir}\`)`)
  return file
}

/** written to a temporary name and renamed, so a reader never sees half a file */
export async function writeClusterFile (dir: string, cluster: ClusterFile): Promise<void> {
  const file = clusterFilePath(dir)
  const temp = `${file}.tmp-${process.pid}`
  await writeFile(temp, JSON.stringify(cluster, null, 2) + '\n')
  await rename(temp, file)
}
