// Hand-made protobuf bytes for tests of decoders and validators. padProtobuf pads an encoded
// message to an exact size with one field of a number no schema of ours uses, which decoders
// skip: a message valid in every other way lands exactly at a byte limit, or one byte past
// it, so only the size check can refuse it. withVarintField appends a varint field, which
// replaces an earlier value of that field (the last one wins), to send values our encoders
// refuse to write but another peer's might.

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

export function withVarintField (message: Uint8Array, fieldNumber: number, value: bigint): Uint8Array {
  return new Uint8Array([...message, ...varint(BigInt(fieldNumber << 3)), ...varint(value)])
}

function varint (value: number | bigint): number[] {
  let rest = BigInt(value)
  const out: number[] = []
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  out.push(Number(rest))
  return out
}
