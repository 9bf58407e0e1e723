// The peer's identity: an Ed25519 private key kept in <dataDir>/identity.key as the libp2p
// protobuf encoding. The peer id is derived from it, so it must survive restarts; a file that
// exists but cannot be decoded is an operator problem and is reported, never replaced, because
// replacing it would silently turn this peer into a stranger to the cluster.
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { JadfsError } from '../errors.js'
import { SmallFileRefused, readSmallFile } from '../util/read-small-file.js'

export const IDENTITY_FILE_NAME = 'identity.key'
/** Owner read/write only: the key is the peer's credential. */
const IDENTITY_FILE_MODE = 0o600
/** An Ed25519 key in protobuf form is ~68 bytes; anything far larger is not our file. */
export const MAX_IDENTITY_FILE_BYTES = 4096

export interface PeerIdentity {
  readonly privateKey: PrivateKey
  readonly peerId: PeerId
  /** True when this call generated the key (first start). */
  readonly created: boolean
}

export async function loadOrCreateIdentity (dataDir: string): Promise<PeerIdentity> {
  const existing = await loadExistingIdentity(dataDir)
  if (existing !== undefined) return existing
  const path = join(dataDir, IDENTITY_FILE_NAME)
  const privateKey = await generateKeyPair('Ed25519')
  await writeIdentityFile(dataDir, path, privateKeyToProtobuf(privateKey))
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: true }
}

/** The identity in dataDir, or undefined when there is none yet; never creates one. */
export async function loadExistingIdentity (dataDir: string): Promise<PeerIdentity | undefined> {
  const path = join(dataDir, IDENTITY_FILE_NAME)
  const existing = await readIdentityFile(path)
  if (existing === undefined) return undefined
  const privateKey = decodeIdentity(existing, path)
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: false }
}

async function readIdentityFile (path: string): Promise<Uint8Array | undefined> {
  try {
    return readSmallFile(path, MAX_IDENTITY_FILE_BYTES)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (err instanceof SmallFileRefused && err.problem === 'too-large') throw corrupt(path, err.message)
    throw new JadfsError('STORAGE_IO', `cannot read the identity file ${path}: ${(err as Error).message}`, { cause: err, details: { path } })
  }
}

function corrupt (path: string, why: string, cause?: unknown): JadfsError {
  return new JadfsError(
    'IDENTITY_CORRUPT',
    `the identity file ${path} is corrupt (${why}); restore it from a backup, or delete it to start as a new peer`,
    { cause, details: { path } }
  )
}

function decodeIdentity (bytes: Uint8Array, path: string): PrivateKey {
  if (bytes.byteLength === 0) throw corrupt(path, '0 bytes')
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw corrupt(path, 'not a libp2p private key', err)
  }
  if (key.type !== 'Ed25519') throw corrupt(path, `key type ${key.type}, expected Ed25519`)
  return key
}

// Write to a temp file, fsync, then rename, so a crash never leaves a half-written key
// that the next start would report as corrupt.
async function writeIdentityFile (dataDir: string, path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  try {
    await mkdir(dataDir, { recursive: true })
    const handle = await open(tmp, 'wx', IDENTITY_FILE_MODE)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw new JadfsError('STORAGE_IO', `cannot write the identity file ${path}: ${(err as Error).message}`, { cause: err, details: { path } })
  }
}
