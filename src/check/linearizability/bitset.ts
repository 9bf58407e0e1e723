// A fixed-size bit set for "which operations are already linearized". The memo cache keys on
// it, so key() must be cheap: 16 bits per UTF-16 code unit keeps the key short.

export class Bitset {
  private readonly words: Uint16Array

  constructor (readonly sizeBits: number) {
    this.words = new Uint16Array(Math.ceil(sizeBits / 16))
  }

  set (i: number): void {
    this.words[i >>> 4]! |= 1 << (i & 15)
  }

  clear (i: number): void {
    this.words[i >>> 4]! &= ~(1 << (i & 15))
  }

  has (i: number): boolean {
    return (this.words[i >>> 4]! & (1 << (i & 15))) !== 0
  }

  /** a string equal for equal sets of the same size and different otherwise */
  key (): string {
    // apply() on a typed array avoids building an intermediate array; chunked to stay under
    // the engine's argument-count limit for very long histories
    const chunkWords = 8192
    if (this.words.length <= chunkWords) return String.fromCharCode.apply(null, this.words as unknown as number[])
    let out = ''
    for (let i = 0; i < this.words.length; i += chunkWords) {
      out += String.fromCharCode.apply(null, this.words.subarray(i, i + chunkWords) as unknown as number[])
    }
    return out
  }
}
