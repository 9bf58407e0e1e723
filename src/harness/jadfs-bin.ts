// <repo>/bin/jadfs, found from this module (src/harness/ when run from source, dist/src/harness/
// when compiled), so the harness starts the daemon of its own checkout whatever the cwd.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const MAX_LEVELS = 5

export function jadfsBinPath (): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < MAX_LEVELS; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }
      if (pkg.name === 'jadfs') return path.join(dir, 'bin', 'jadfs')
    } catch {
      // not here; look one level up
    }
    dir = path.dirname(dir)
  }
  throw new Error(`the jadfs repository (package.json named jadfs) was not found above ${fileURLToPath(import.meta.url)}`)
}
