// Uploads and downloads for the benchmarks over node:http, with the client kept as cheap as
// possible: on a 2-core machine the client's own CPU must not be what is measured.
import { createReadStream } from 'node:fs'
import http from 'node:http'

const BUFFER_BYTES = 1024 * 1024

/**
 * Streams a file up as a PUT body. node:http rather than fetch, for the same reason as the
 * download below: the client's own CPU must not be what is measured on a 2-core machine.
 */
export async function uploadFile (url: string, filePath: string, sizeBytes: number): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'PUT',
      headers: { 'content-length': String(sizeBytes), 'content-type': 'application/octet-stream' }
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => { body += text })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
      res.on('error', reject)
    })
    request.on('error', reject)
    const file = createReadStream(filePath, { highWaterMark: BUFFER_BYTES })
    file.on('error', (err) => { request.destroy(err) })
    file.pipe(request)
  })
}

/**
 * Streams a download and throws the bytes away. node:http rather than fetch: on this kind of
 * machine undici's web streams cost the client more CPU than the daemon's whole read path,
 * and the client must not be what is measured. (The daemon re-hashes every chunk it serves;
 * the put already checked the stored SHA-256 against the source.)
 */
export async function discardDownload (url: string): Promise<number> {
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

