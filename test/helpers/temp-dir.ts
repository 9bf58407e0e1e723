// Temporary directories for one test file, removed in after().
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

export async function makeTempDir (label: string): Promise<string> {
  return await mkdtemp(path.join(os.tmpdir(), `jadfs-${label}-`))
}

export async function removeTempDir (dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
}
