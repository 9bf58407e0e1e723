// The bytes of a namespace snapshot. A snapshot travels whole in one Raft message, so its size
// caps the namespace a peer can catch up on. As JSON a file record takes about 370 bytes;
// compressed with Brotli (quality 1, about 4 times smaller, ~100 ms per 100,000 files) about
// 90, which also keeps snapshots within the ordinary 64 MiB messages up to ~700,000 files
// (larger ones travel on a stream of their own). The JSON itself is bounded at 384 MiB (V8's
// strings end at 512 MiB): about a million files. Format byte 0x01 then Brotli-compressed
// JSON; plain JSON (a first byte '{') is what earlier versions wrote and is still read.
// Decompression is bounded, so a hostile snapshot cannot make a peer inflate it without limit.
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import { JadfsError } from '../errors.js'

const BROTLI_JSON = 0x01
const PLAIN_JSON = 0x7b // '{'
/** largest JSON a snapshot may inflate to; V8's strings end at 512 MiB */
export const MAX_SNAPSHOT_JSON_BYTES = 384 * 1024 * 1024

export function encodeSnapshot (value: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(value))
  const packed = brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength
    }
  })
  const out = new Uint8Array(1 + packed.byteLength)
  out[0] = BROTLI_JSON
  out.set(packed, 1)
  return out
}

/** the parsed JSON of a snapshot, or INVALID_ARGUMENT saying why it is not one */
export function decodeSnapshot (data: Uint8Array, maxJsonBytes = MAX_SNAPSHOT_JSON_BYTES): unknown {
  let json: Buffer
  if (data[0] === PLAIN_JSON) {
    json = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  } else if (data[0] === BROTLI_JSON) {
    try {
      json = brotliDecompressSync(data.subarray(1), { maxOutputLength: maxJsonBytes })
    } catch (err) {
      throw new JadfsError('INVALID_ARGUMENT', `namespace snapshot does not decompress (${(err as Error).message}; at most ${maxJsonBytes} bytes)`, { cause: err })
    }
  } else {
    throw new JadfsError('INVALID_ARGUMENT', `namespace snapshot has an unknown format (first byte ${data[0] ?? 'missing'})`)
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json))
  } catch (err) {
    throw new JadfsError('INVALID_ARGUMENT', 'namespace snapshot is not UTF-8 JSON', { cause: err })
  }
}
