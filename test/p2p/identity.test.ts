// Checks the persistent identity in a temp data dir: the first start creates identity.key
// with mode 0600, a restart loads the same key (same peer id), and a corrupt or foreign
// file fails with IDENTITY_CORRUPT and is left exactly as it was. The file's size limit at
// its edge (a valid key padded to exactly MAX_IDENTITY_FILE_BYTES loads, one byte more is
// IDENTITY_CORRUPT by its size), and /dev/zero or a FIFO in its place refused at once as
// STORAGE_IO, not read without end or waited on.
import { strict as assert } from 'node:assert'
import { lstat, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { isJadfsError } from '../../src/errors.js'
import { IDENTITY_FILE_NAME, MAX_IDENTITY_FILE_BYTES, loadOrCreateIdentity } from '../../src/p2p/identity.js'
import { padProtobuf } from '../helpers/protobuf-padding.js'
import { DEV_ZERO, callInChild, devZeroMissing, makeFifo, skipBecause, type ChildOutcome } from '../helpers/special-files.js'

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

  // The key file is read synchronously, so these run in a child (see callInChild).
  const loadInChild = async (): Promise<ChildOutcome> => await callInChild(new URL('../../src/p2p/identity.js', import.meta.url).href, 'loadOrCreateIdentity', [dir])

  // /dev/zero never ends: read whole, it would fill memory before any size check. It must be
  // refused for what it is, from the opened descriptor, and the link left in place.
  it('refuses /dev/zero in place of the key file as not a regular file', async function () {
    skipBecause(this, devZeroMissing())
    const path = join(dir, IDENTITY_FILE_NAME)
    await symlink(DEV_ZERO, path)
    const outcome = await loadInChild()
    assert.equal(outcome.code, 'STORAGE_IO')
    assert.ok(outcome.message.includes(path) && /a character device is not a regular file/.test(outcome.message), outcome.message)
    assert.ok((await lstat(path)).isSymbolicLink(), 'the link was replaced')
  })

  // Nothing ever writes to this FIFO: an open that waited for a writer would never return.
  it('refuses a FIFO in place of the key file without waiting for a writer', async function () {
    const path = join(dir, IDENTITY_FILE_NAME)
    skipBecause(this, makeFifo(path))
    const outcome = await loadInChild()
    assert.equal(outcome.code, 'STORAGE_IO')
    assert.match(outcome.message, /a FIFO is not a regular file/)
    assert.ok((await lstat(path)).isFIFO(), 'the FIFO was replaced')
  })
})
