// Pads an encoded protobuf message to an exact size with one field of a number no schema of
// ours uses, which decoders skip. Tests use it to put a message that is valid in every other
// way exactly at a byte limit, or one byte past it, so only the size check can refuse it.

/** Field 15, wire type 2 (length-delimited): a one-byte tag. */
const UNKNOWN_FIELD_TAG = (15 << 3) | 2

export function padProtobuf (message: Uint8Array, totalBytes: number): Uint8Array {
  for (let bodyBytes = totalBytes - message.byteLength - 2; bodyBytes >= 0; bodyBytes--) {
    const length = varint(bodyBytes)
    if (message.byteLength + 1 + length.length + bodyBytes !== totalBytes) continue
    const out = new Uint8Array(totalBytes)
    out.set(message)
    out.set([UNKNOWN_FIELD_TAG, ...length], message.byteLength)
    return out
  }
  throw new Error(`cannot pad ${message.byteLength} bytes to exactly ${totalBytes}`)
}

function varint (value: number): number[] {
  const out: number[] = []
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
  return out
}
