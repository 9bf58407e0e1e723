// Single-node section: starts the real daemon process, writes a file of pseudo-random bytes,
// measures the machine's ceilings on those bytes, then puts the file over HTTP (streaming
// fetch from disk) and gets it back over HTTP (streamed and discarded),
// sampling the daemon's RSS throughout. Ratios: put against min(SHA-256, write+fsync), get
// against min(SHA-256, read), because those are the work each direction cannot avoid.
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { Readable } from 'node:stream'
import { startDaemon } from '../test/helpers/daemon-process.js'
import { writeRandomFile } from '../test/helpers/random-file.js'
import { mbPerSecond, measureCeilings } from './ceilings.js'
import { sampleRss } from './rss-sampler.js'

export const PUT_TARGET_RATIO = 0.5
export const GET_TARGET_RATIO = 0.6
export const RSS_TARGET_BYTES = 256 * 1024 * 1024
const BUFFER_BYTES = 1024 * 1024

export interface SingleNodeBenchOptions {
  readonly dir: string
  readonly sizeBytes: number
  readonly chunkSize: string
  readonly log?: (line: string) => void
}

export async function runSingleNodeBench (options: SingleNodeBenchOptions): Promise<Record<string, number | string>> {
  const log = options.log ?? (() => {})
  const source = path.join(options.dir, 'source.bin')
  log(`writing ${options.sizeBytes} pseudo-random bytes to ${source}`)
  const sourceSha256 = await writeRandomFile(source, options.sizeBytes)
  log('measuring ceilings (sha256, write+fsync, read)')
  const ceilings = await measureCeilings(source, path.join(options.dir, 'scratch.bin'), options.sizeBytes)

  const daemon = await startDaemon({
    dataDir: path.join(options.dir, 'data'),
    args: ['--chunk-size', options.chunkSize, '--log-level', 'warn', '--gc-grace', '0s', '--max-file-size', '1TiB']
  })
  const pid = daemon.child.pid ?? 0
  const rss = sampleRss(pid)
  try {
    log('put over HTTP')
    let startedAtMs = performance.now()
    const put = await fetch(`${daemon.apiUrl}/v1/files/bench/source.bin`, {
      method: 'PUT',
      headers: { 'content-length': String(options.sizeBytes), 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(createReadStream(source, { highWaterMark: BUFFER_BYTES })) as ReadableStream<Uint8Array>,
      duplex: 'half'
    } as RequestInit & { duplex: 'half' })
    const record = await put.json() as { sha256?: string }
    const putMs = performance.now() - startedAtMs
    if (put.status !== 201 || record.sha256 !== sourceSha256) throw new Error(`put failed: ${put.status} ${JSON.stringify(record).slice(0, 300)}`)

    log('get over HTTP')
    startedAtMs = performance.now()
    const gotBytes = await discardDownload(`${daemon.apiUrl}/v1/files/bench/source.bin`)
    const getMs = performance.now() - startedAtMs
    if (gotBytes !== options.sizeBytes) throw new Error(`get returned ${gotBytes} of ${options.sizeBytes} bytes`)
    const peakRssBytes = await rss.peakBytes()

    const putMBps = mbPerSecond(options.sizeBytes, putMs)
    const getMBps = mbPerSecond(options.sizeBytes, getMs)
    const putCeiling = Math.min(ceilings.sha256MBps, ceilings.writeFsyncMBps)
    const getCeiling = Math.min(ceilings.sha256MBps, ceilings.readMBps)
    return {
      sizeBytes: options.sizeBytes,
      chunkSize: options.chunkSize,
      sha256MBps: round(ceilings.sha256MBps),
      writeFsyncMBps: round(ceilings.writeFsyncMBps),
      readMBps: round(ceilings.readMBps),
      putMBps: round(putMBps),
      getMBps: round(getMBps),
      putCeilingMBps: round(putCeiling),
      getCeilingMBps: round(getCeiling),
      putRatio: round(putMBps / putCeiling, 3),
      getRatio: round(getMBps / getCeiling, 3),
      putTargetRatio: PUT_TARGET_RATIO,
      getTargetRatio: GET_TARGET_RATIO,
      peakDaemonRssMiB: round(peakRssBytes / 1024 / 1024, 1),
      rssTargetMiB: RSS_TARGET_BYTES / 1024 / 1024,
      putVerdict: putMBps / putCeiling >= PUT_TARGET_RATIO ? 'pass' : 'FAIL',
      getVerdict: getMBps / getCeiling >= GET_TARGET_RATIO ? 'pass' : 'FAIL',
      rssVerdict: peakRssBytes < RSS_TARGET_BYTES ? 'pass' : 'FAIL'
    }
  } finally {
    rss.stop()
    await daemon.stop()
    await rm(source, { force: true })
  }
}

/**
 * Streams a download and throws the bytes away. node:http rather than fetch: on this kind of
 * machine undici's web streams cost the client more CPU than the daemon's whole read path,
 * and the client must not be what is measured. (The daemon re-hashes every chunk it serves;
 * the put already checked the stored SHA-256 against the source.)
 */
async function discardDownload (url: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`get failed: HTTP ${String(res.statusCode)}`))
        res.resume()
        return
      }
      let bytes = 0
      res.on('data', (piece: Buffer) => { bytes += piece.length })
      res.on('end', () => { resolve(res.complete ? bytes : -1) })
      res.on('error', reject)
    }).on('error', reject)
  })
}

function round (value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
