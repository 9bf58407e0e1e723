// The cluster key: a pre-shared key every peer of a private cluster holds, in the swarm key
// format of IPFS private networks (three lines: /key/swarm/psk/1.0.0/, /base16/, 64 hex
// digits). With it, libp2p's private-network protector (@libp2p/pnet) encrypts every
// connection with the key before anything else is said, so a process without the key cannot
// connect at all: it cannot join, gossip, be added as a learner, or push and fetch chunks.
import { generateKey } from '@libp2p/pnet'
import { JadfsError } from '../errors.js'
import { SmallFileRefused, readSmallFile } from '../util/read-small-file.js'
import { writeSecretFileOnce } from '../util/secret-file.js'

const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'
const KEY_HEX_DIGITS = 64
/** a key file is three short lines; anything much larger is not one */
export const MAX_KEY_FILE_BYTES = 1024

/** The key in the canonical file form @libp2p/pnet reads, or INVALID_CONFIG saying what is wrong. */
export function parseClusterKey (text: string, source: string): Uint8Array {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line !== '')
  const problem = lines.length !== 3
    ? `expected 3 lines (${HEADER}, ${ENCODING}, ${KEY_HEX_DIGITS} hex digits), found ${lines.length}`
    : lines[0] !== HEADER
      ? `the first line must be ${HEADER}`
      : lines[1] !== ENCODING
        ? `the second line must be ${ENCODING} (the only encoding supported)`
        : !new RegExp(`^[0-9a-fA-F]{${KEY_HEX_DIGITS}}$`).test(lines[2] ?? '')
          ? `the third line must be ${KEY_HEX_DIGITS} hex digits (a 32-byte key)`
          : undefined
  if (problem !== undefined) {
    throw new JadfsError('INVALID_CONFIG', `cluster key ${source} is not a key file: ${problem}; make one with \`jadfs cluster key FILE\``, { details: { option: '--cluster-key' } })
  }
  return new TextEncoder().encode(`${HEADER}\n${ENCODING}\n${(lines[2] as string).toLowerCase()}`)
}

export async function readClusterKey (path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = readSmallFile(path, MAX_KEY_FILE_BYTES).toString('utf8')
  } catch (err) {
    const why = err instanceof SmallFileRefused && err.problem === 'too-large' ? `${err.message}, a key file has about 100` : (err as Error).message
    throw new JadfsError('INVALID_CONFIG', `cannot read the cluster key ${path}: ${why}`, { details: { option: '--cluster-key' } })
  }
  return parseClusterKey(text, path)
}

/** A new random key, in the form parseClusterKey returns. */
export function newClusterKey (): Uint8Array {
  const key = new Uint8Array(HEADER.length + ENCODING.length + KEY_HEX_DIGITS + 2)
  generateKey(key)
  return key
}

/** A new random key file (readable by its owner only); an existing file is never replaced. */
export async function writeNewClusterKey (path: string): Promise<void> {
  await writeSecretFileOnce(path, new TextDecoder().decode(newClusterKey()) + '\n', 'a cluster key', 'every peer of the cluster holds a copy')
}
