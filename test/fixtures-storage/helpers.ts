// Shared helpers for storage tests: temp data dirs, deterministic bytes, stream helpers and an
// assertion that an operation fails with a given JadfsError code.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isJadfsError, type ErrorCode, type JadfsError } from '../../src/errors.js'
import { openLocalFileService, type LocalFileServiceComponents, type LocalFileServiceWithNamespace } from '../../src/files/local-file-service.js'
import type { LocalFileServiceInit } from '../../src/files/file-service.js'

export const KIB = 1024
export const TEST_CHUNK_BYTES = 64 * KIB

export async function makeTempDir (): Promise<{ dir: string, cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'jadfs-storage-test-'))
  return { dir, cleanup: async () => { await rm(dir, { recursive: true, force: true }) } }
}

/** deterministic pseudo-random bytes: different seeds give different chunks (no accidental dedup) */
export function bytesOf (sizeBytes: number, seed = 1): Buffer {
  const out = Buffer.alloc(sizeBytes)
  let state = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < sizeBytes; i++) {
    state ^= state << 13; state >>>= 0
    state ^= state >>> 17
    state ^= state << 5; state >>>= 0
    out[i] = state & 0xff
  }
  return out
}

export async function * piecesOf (bytes: Uint8Array, pieceBytes = 7 * KIB): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += pieceBytes) {
    yield bytes.subarray(offset, Math.min(offset + pieceBytes, bytes.byteLength))
  }
}

export async function collect (body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of body) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

export function sha256Hex (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export async function rejectsWith (promise: Promise<unknown> | (() => unknown), code: ErrorCode, messagePart?: RegExp): Promise<JadfsError> {
  let caught: unknown
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (err) {
    caught = err
  }
  assert.ok(caught !== undefined, `expected ${code}, but it succeeded`)
  assert.ok(isJadfsError(caught, code), `expected ${code}, got ${String((caught as Error).stack ?? caught)}`)
  if (messagePart !== undefined) assert.match(caught.message, messagePart)
  return caught
}

export function throwsWith (fn: () => unknown, code: ErrorCode, messagePart?: RegExp): JadfsError {
  try {
    fn()
  } catch (err) {
    assert.ok(isJadfsError(err, code), `expected ${code}, got ${String((err as Error).stack ?? err)}`)
    if (messagePart !== undefined) assert.match(err.message, messagePart)
    return err
  }
  assert.fail(`expected ${code}, but it succeeded`)
}

export interface OpenedService {
  readonly service: LocalFileServiceWithNamespace
  readonly dir: string
  cleanup (): Promise<void>
}

export async function openTestService (overrides: Partial<LocalFileServiceInit> = {}, components: LocalFileServiceComponents = {}, dir?: string): Promise<OpenedService> {
  const temp = dir === undefined ? await makeTempDir() : { dir, cleanup: async () => {} }
  let service: LocalFileServiceWithNamespace
  try {
    service = await openLocalFileService({
      dataDir: temp.dir,
      chunkSizeBytes: TEST_CHUNK_BYTES,
      gcGraceMs: 60_000,
      version: 'test',
      ...overrides
    }, components)
  } catch (err) {
    await temp.cleanup()
    throw err
  }
  return {
    service,
    dir: temp.dir,
    cleanup: async () => {
      await service.close()
      await temp.cleanup()
    }
  }
}
