// Checks the persistent identity in a temp data dir: the first start creates identity.key
// with mode 0600, a restart loads the same key (same peer id), and a corrupt or foreign
// file fails with IDENTITY_CORRUPT and is left exactly as it was. The file's size limit at
// its edge (a valid key padded to exactly MAX_IDENTITY_FILE_BYTES loads, one byte more is
// IDENTITY_CORRUPT by its size), and a directory in its place refused as STORAGE_IO, not a
// regular file, and left as it was (the file is read by the small-file reader, whose tests
// cover FIFOs and /dev/zero).
import { strict as assert } from 'node:assert'
import { lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { isJadfsError } from '../../src/errors.js'
import { IDENTITY_FILE_NAME, MAX_IDENTITY_FILE_BYTES, loadOrCreateIdentity } from '../../src/p2p/identity.js'
import { padProtobuf } from '../helpers/protobuf-padding.js'

describe('p2p: identity', () => {
  let dir = ''
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'jadfs-identity-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('creates a 0600 Ed25519 key once and loads the same peer id after', async () => {
    const dataDir = join(dir, 'data')
    const first = await loadOrCreateIdentity(dataDir)
    assert.equal(first.created, true)
    assert.equal(first.privateKey.type, 'Ed25519')
    const mode = (await stat(join(dataDir, IDENTITY_FILE_NAME))).mode & 0o777
    assert.equal(mode, 0o600)

    const second = await loadOrCreateIdentity(dataDir)
    assert.equal(second.created, false)
    assert.equal(second.peerId.toString(), first.peerId.toString())
    assert.ok(second.privateKey.equals(first.privateKey))
  })

  for (const [name, bytes] of [
    ['garbage bytes', new Uint8Array([1, 2, 3, 4, 5])],
    ['an empty file', new Uint8Array()]
  ] as const) {
    it(`reports ${name} as IDENTITY_CORRUPT and leaves the file alone`, async () => {
      const path = join(dir, IDENTITY_FILE_NAME)
      await writeFile(path, bytes)
      await assert.rejects(loadOrCreateIdentity(dir), (err) => isJadfsError(err, 'IDENTITY_CORRUPT') && err.message.includes(path))
      assert.deepEqual(new Uint8Array(await readFile(path)), bytes)
    })
  }

  it('refuses a valid key of another type', async () => {
    const path = join(dir, IDENTITY_FILE_NAME)
    const secp = privateKeyToProtobuf(await generateKeyPair('secp256k1'))
    await writeFile(path, secp)
    await assert.rejects(loadOrCreateIdentity(dir), (err) => isJadfsError(err, 'IDENTITY_CORRUPT') && /secp256k1/.test(err.message))
  })

  // A key followed by a field no decoder knows is still that key, so padding it to the limit
  // makes a file only the size check can refuse: at the limit it loads as the same peer, one
  // byte past it is IDENTITY_CORRUPT naming its size.
  it('loads a key file of exactly MAX_IDENTITY_FILE_BYTES and refuses one byte more by its size', async () => {
    const path = join(dir, IDENTITY_FILE_NAME)
    const key = await generateKeyPair('Ed25519')
    await writeFile(path, padProtobuf(privateKeyToProtobuf(key), MAX_IDENTITY_FILE_BYTES))
    assert.equal((await stat(path)).size, MAX_IDENTITY_FILE_BYTES)
    const loaded = await loadOrCreateIdentity(dir)
    assert.equal(loaded.created, false)
    assert.ok(loaded.privateKey.equals(key))

    const over = padProtobuf(privateKeyToProtobuf(key), MAX_IDENTITY_FILE_BYTES + 1)
    await writeFile(path, over)
    await assert.rejects(loadOrCreateIdentity(dir), (err) => isJadfsError(err, 'IDENTITY_CORRUPT') && err.message.includes(`(${MAX_IDENTITY_FILE_BYTES + 1} bytes)`))
    assert.deepEqual(new Uint8Array(await readFile(path)), over, 'the refused file was changed')
  })

  it('refuses a directory in place of the key file as not a regular file, and leaves it', async () => {
    const path = join(dir, IDENTITY_FILE_NAME)
    await mkdir(path, { recursive: true })
    await assert.rejects(loadOrCreateIdentity(dir), (err: unknown) => isJadfsError(err, 'STORAGE_IO') && err.message.includes(path) && /a directory is not a regular file/.test(err.message))
    assert.ok((await lstat(path)).isDirectory(), 'the directory was replaced')
  })
})
