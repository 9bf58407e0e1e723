// The package version, read from package.json (found from this module's location, which is
// src/cli/ when run with a loader and dist/src/cli/ when compiled).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export function packageVersion (): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'jadfs' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not here; look one level up
    }
    dir = path.dirname(dir)
  }
  return '0.0.0-unknown'
}
