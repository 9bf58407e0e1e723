// Finds a daemon's files on disk: chunk files by CID (<dataDir>/chunks/<fan-out>/<cid>) and
// what is left in its temp directory.
import { readdir } from 'node:fs/promises'
import path from 'node:path'

export async function listChunkFiles (dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'chunks')
  const found: string[] = []
  for (const fanOut of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(root, fanOut)).catch(() => [] as string[])) found.push(path.join(root, fanOut, name))
  }
  return found
}

export async function chunkFilePath (dataDir: string, cid: string): Promise<string> {
  const match = (await listChunkFiles(dataDir)).find((p) => path.basename(p) === cid)
  if (match === undefined) throw new Error(`no chunk file for ${cid} under ${dataDir}`)
  return match
}

export async function listTempFiles (dataDir: string): Promise<string[]> {
  return await readdir(path.join(dataDir, 'tmp')).catch(() => [] as string[])
}
