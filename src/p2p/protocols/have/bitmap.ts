// A packed bitmap of booleans: bit i lives in byte i >> 3 at position i & 7. A batch of
// 1024 answers costs 128 bytes on the wire.
import { assert } from '../../../util/assert.js'

export function packBits (bits: readonly boolean[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => {
    if (bit) bytes[i >> 3]! |= 1 << (i & 7)
  })
  return bytes
}

/** Unpacks `count` bits; returns undefined if the bitmap has the wrong length or stray bits set. */
export function unpackBits (bytes: Uint8Array, count: number): boolean[] | undefined {
  assert(Number.isSafeInteger(count) && count >= 0, 'bit count must be a non-negative integer', { count })
  if (bytes.byteLength !== Math.ceil(count / 8)) return undefined
  const tailBits = count & 7
  if (tailBits !== 0 && (bytes[bytes.byteLength - 1]! >> tailBits) !== 0) return undefined
  const bits: boolean[] = []
  for (let i = 0; i < count; i++) bits.push((bytes[i >> 3]! & (1 << (i & 7))) !== 0)
  return bits
}
