// The API token: a shared secret in a file that a daemon started with --api-token-file asks
// every API request for (Authorization: Bearer <token>), except the liveness probe. Clients
// read the same file (--api-token-file / JADFS_API_TOKEN_FILE). It keeps anyone who can reach
// the API port from reading or deleting files; it does not encrypt (use a trusted network, or
// a TLS proxy in front, for that).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { JadfsError } from '../errors.js'
import { SmallFileRefused, readSmallFile } from '../util/read-small-file.js'
import { writeSecretFileOnce } from '../util/secret-file.js'

/** shorter secrets are guessable; ours are 43 characters */
export const MIN_API_TOKEN_CHARS = 16
/** a header line, not a document */
export const MAX_API_TOKEN_CHARS = 512
/** the longest token with room for surrounding whitespace (a trailing newline, CRLF, indentation) */
export const MAX_API_TOKEN_FILE_BYTES = MAX_API_TOKEN_CHARS + 64
/** printable ASCII without spaces: a token must survive being put in a header as it is */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/

/** The token in a token file's text (surrounding whitespace ignored), or INVALID_CONFIG saying what is wrong. */
export function parseApiToken (text: string, source: string, option: string): string {
  const token = text.trim()
  const problem = token.length < MIN_API_TOKEN_CHARS
    ? `${token.length} characters, at least ${MIN_API_TOKEN_CHARS} are needed`
    : token.length > MAX_API_TOKEN_CHARS
      ? `${token.length} characters, at most ${MAX_API_TOKEN_CHARS} are allowed`
      : !TOKEN_PATTERN.test(token)
          ? 'only printable ASCII without spaces is allowed'
          : undefined
  if (problem !== undefined) {
    throw new JadfsError('INVALID_CONFIG', `API token ${source} is not usable: ${problem}; make one with \`jadfs api-token FILE\``, { details: { option } })
  }
  return token
}

/**
 * Reads and checks a token file. Synchronous: it is read once, before a daemon starts or a
 * CLI command sends its first request, and is one short line.
 */
export function readApiToken (path: string, option: string): string {
  let bytes: Buffer
  try {
    bytes = readSmallFile(path, MAX_API_TOKEN_FILE_BYTES)
  } catch (err) {
    if (err instanceof SmallFileRefused && err.problem === 'too-large') throw unreadable(path, option, new Error(`${err.message}, a token file holds one short line`))
    throw unreadable(path, option, err)
  }
  return parseApiToken(bytes.toString('utf8'), path, option)
}

function unreadable (path: string, option: string, err: unknown): JadfsError {
  return new JadfsError('INVALID_CONFIG', `cannot read the API token ${path} (${option}): ${(err as Error).message}`, { details: { option } })
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or the first wrong character.
 */
export function carriesApiToken (authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization ?? '')?.[1] ?? ''
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0
}

/** A new random token: 32 bytes, base64url. */
function newApiToken (): string {
  return randomBytes(32).toString('base64url')
}

/** A new token file (readable by its owner only); an existing file is never replaced. */
export async function writeNewApiToken (path: string): Promise<void> {
  await writeSecretFileOnce(path, newApiToken() + '\n', 'a token file', 'the daemon and its clients hold copies')
}
