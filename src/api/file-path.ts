// The file path is taken from the raw request URL rather than the router's parameter, so
// that what the client sent ("..", "%2e%2e", "%2F", NUL) reaches the storage engine's path
// validation unchanged instead of being normalised or half-decoded on the way.
import { JadfsError } from '../errors.js'

export const FILES_PREFIX = '/v1/files/'

export function filePathFromUrl (rawUrl: string): string {
  const queryAt = rawUrl.indexOf('?')
  const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)
  if (!pathname.startsWith(FILES_PREFIX)) {
    throw new JadfsError('INVALID_PATH', `file URLs start with ${FILES_PREFIX}`)
  }
  const encoded = pathname.slice(FILES_PREFIX.length)
  let decoded: string
  try {
    decoded = decodeURIComponent(encoded)
  } catch {
    throw new JadfsError('INVALID_PATH', 'the path is not valid percent-encoded UTF-8')
  }
  return '/' + decoded
}

/** the URL path that names a file, with every character that could be reinterpreted encoded */
export function fileUrlPath (filePath: string): string {
  const relative = filePath.startsWith('/') ? filePath.slice(1) : filePath
  return FILES_PREFIX + encodeURIComponent(relative)
}

/** a readable URL for a stored (already valid) path, slashes kept: for Location headers */
export function fileLocation (filePath: string): string {
  return FILES_PREFIX + filePath.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/')
}
