// Chunk bytes on disk: <dataDir>/chunks/<fan-out>/<cid>, written under <dataDir>/tmp/ first.
// A chunk file appears under its id only by rename after its bytes were fdatasynced, and the
// directory is fsynced after the rename, so a crash leaves either the whole chunk or a temp
// file (swept later), never a partial chunk under a real id.
import { randomUUID } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { parseChunkCid } from '../chunk/cid.js'
import { isJadfsError } from '../errors.js'
import { assert } from '../util/assert.js'
import { nodeChunkFs, type ChunkFs } from './chunk-fs.js'
import { BatchPool, ChunkWriter, DEFAULT_WRITE_BATCH_BYTES, DEFAULT_WRITE_BATCHES, type FinishedChunk } from './chunk-writer.js'
import { isNotFound, toStorageError } from './storage-error.js'

export const TEMP_SUFFIX = '.tmp'

export interface ChunkFileStoreInit {
  readonly dataDir: string
  /** @default the real file system */
  readonly fs?: ChunkFs
  /** @default 1 MiB */
  readonly writeBatchBytes?: number
}

export interface ChunkFileInfo {
  readonly cid: string
  readonly sizeBytes: number
  readonly mtimeMs: number
}

export class ChunkFileStore {
  readonly chunksDir: string
  readonly tmpDir: string
  private readonly fs: ChunkFs
  private readonly writeBatchBytes: number
  private readonly batchPool: BatchPool
  /** temp files of writers still open: never swept, however old */
  private readonly activeTemps = new Set<string>()
  private readonly knownFanOutDirs = new Set<string>()

  constructor (init: ChunkFileStoreInit) {
    this.chunksDir = join(init.dataDir, 'chunks')
    this.tmpDir = join(init.dataDir, 'tmp')
    this.fs = init.fs ?? nodeChunkFs()
    this.writeBatchBytes = init.writeBatchBytes ?? DEFAULT_WRITE_BATCH_BYTES
    this.batchPool = new BatchPool(this.writeBatchBytes)
  }

  async init (): Promise<void> {
    try {
      await mkdir(this.chunksDir, { recursive: true })
      await mkdir(this.tmpDir, { recursive: true })
    } catch (err) {
      throw toStorageError(err, 'creating the data directory')
    }
  }

  /** flatfs-style fan-out on the next-to-last two characters: every id starts "bafkrei" */
  fanOutOf (cid: string): string {
    return cid.slice(-3, -1)
  }

  chunkPath (cid: string): string {
    return join(this.chunksDir, this.fanOutOf(cid), cid)
  }

  async createWriter (): Promise<ChunkWriter> {
    const tempPath = join(this.tmpDir, `${randomUUID()}${TEMP_SUFFIX}`)
    let handle
    try {
      handle = await this.fs.createExclusive(tempPath)
    } catch (err) {
      throw toStorageError(err, 'creating a temp chunk file')
    }
    this.activeTemps.add(tempPath)
    return new ChunkWriter(handle, tempPath, this.writeBatchBytes, async (writer) => {
      await this.discardTemp(writer.tempPath)
    }, DEFAULT_WRITE_BATCHES, this.batchPool)
  }

  /**
   * Moves a finished temp file to its id. If a sound copy is already there (same size) the temp
   * file is discarded instead: that is dedup. replaceExisting is for healing a chunk marked bad.
   */
  async place (finished: FinishedChunk, cid: string, replaceExisting: boolean): Promise<'stored' | 'existed'> {
    assert(this.activeTemps.has(finished.tempPath), 'placing an unknown temp file', { tempPath: finished.tempPath })
    const target = this.chunkPath(cid)
    try {
      if (!replaceExisting) {
        const existing = await this.statChunk(cid)
        if (existing !== null && existing.sizeBytes === finished.sizeBytes) {
          await this.discardTemp(finished.tempPath)
          return 'existed'
        }
      }
      const dir = join(this.chunksDir, this.fanOutOf(cid))
      await this.ensureFanOutDir(dir)
      await rename(finished.tempPath, target)
      this.activeTemps.delete(finished.tempPath)
      await fsyncDir(dir)
      return 'stored'
    } catch (err) {
      await this.discardTemp(finished.tempPath)
      throw toStorageError(err, 'storing a chunk')
    }
  }

  /** null when there is no chunk file */
  async openForRead (cid: string): Promise<FileHandle | null> {
    try {
      return await open(this.chunkPath(cid), 'r')
    } catch (err) {
      if (isNotFound(err)) return null
      throw toStorageError(err, 'opening a chunk')
    }
  }

  async statChunk (cid: string): Promise<ChunkFileInfo | null> {
    try {
      const info = await stat(this.chunkPath(cid))
      return { cid, sizeBytes: info.size, mtimeMs: info.mtimeMs }
    } catch (err) {
      if (isNotFound(err)) return null
      throw toStorageError(err, 'inspecting a chunk')
    }
  }

  /** removes a chunk file; returns its size, or null if it was not there */
  async remove (cid: string): Promise<number | null> {
    const info = await this.statChunk(cid)
    if (info === null) return null
    try {
      await unlink(this.chunkPath(cid))
    } catch (err) {
      if (isNotFound(err)) return null
      throw toStorageError(err, 'removing a chunk')
    }
    return info.sizeBytes
  }

  /** every file under chunks/ whose name is a valid chunk id; other names are left alone */
  async * listChunkFiles (): AsyncGenerator<ChunkFileInfo> {
    for (const dir of await readdirOrEmpty(this.chunksDir)) {
      if (!dir.isDirectory()) continue
      for (const entry of await readdirOrEmpty(join(this.chunksDir, dir.name))) {
        if (!entry.isFile()) continue
        const name = entry.name
        let cid: string
        try {
          cid = parseChunkCid(name)
        } catch (err) {
          if (isJadfsError(err, 'INVALID_CID')) continue
          throw err
        }
        if (this.fanOutOf(cid) !== dir.name) continue
        const info = await this.statChunk(cid)
        if (info !== null) yield info
      }
    }
  }

  /** removes temp files not being written whose last write is at or before cutoffMs */
  async sweepTemp (cutoffMs: number): Promise<number> {
    let removed = 0
    for (const entry of await readdirOrEmpty(this.tmpDir)) {
      const path = join(this.tmpDir, entry.name)
      if (this.activeTemps.has(path)) continue
      try {
        const info = await stat(path)
        if (!info.isFile() || info.mtimeMs > cutoffMs) continue
        await unlink(path)
        removed++
      } catch (err) {
        if (!isNotFound(err)) throw toStorageError(err, 'sweeping temp files')
      }
    }
    return removed
  }

  get activeTempCount (): number {
    return this.activeTemps.size
  }

  private async discardTemp (tempPath: string): Promise<void> {
    this.activeTemps.delete(tempPath)
    await unlink(tempPath).catch((err: unknown) => {
      if (!isNotFound(err)) throw toStorageError(err, 'removing a temp chunk file')
    })
  }

  private async ensureFanOutDir (dir: string): Promise<void> {
    if (this.knownFanOutDirs.has(dir)) return
    const created = await mkdir(dir, { recursive: true })
    // a new directory entry is only durable once its parent is synced
    if (created !== undefined) await fsyncDir(this.chunksDir)
    this.knownFanOutDirs.add(dir)
  }
}

async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function readdirOrEmpty (dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (err) {
    if (isNotFound(err)) return []
    throw toStorageError(err, `listing ${dir}`)
  }
}
