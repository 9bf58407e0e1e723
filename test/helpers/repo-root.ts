// The repository root, found from this module (test/helpers/ or dist/test/helpers/), so
// tests can start bin/jadfs whatever the working directory.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export function repoRoot (): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }
      if (pkg.name === 'jadfs') return dir
    } catch {
      // keep looking upwards
    }
    dir = path.dirname(dir)
  }
  throw new Error('repository root (package.json of jadfs) not found')
}

export function jadfsBin (): string {
  return path.join(repoRoot(), 'bin', 'jadfs')
}
