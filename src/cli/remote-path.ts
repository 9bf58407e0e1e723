// Remote paths as users type them: "docs/a.txt" means "/docs/a.txt", and a path ending in
// "/" names a folder into which the local file's name goes. Everything else (including
// "..") is left for the daemon to accept or reject, so the CLI and curl see the same rules.
import path from 'node:path'

export function remotePathFor (remote: string | undefined, localPath: string): string {
  const base = path.basename(localPath)
  if (remote === undefined) return '/' + base
  const absolute = remote.startsWith('/') ? remote : '/' + remote
  return absolute.endsWith('/') ? absolute + base : absolute
}

export function absoluteRemote (remote: string): string {
  return remote.startsWith('/') ? remote : '/' + remote
}

/** the last segment of a remote path, for naming a downloaded file */
export function remoteBasename (remote: string): string {
  const segments = remote.split('/').filter((s) => s !== '')
  return segments[segments.length - 1] ?? ''
}
