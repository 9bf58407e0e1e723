// Checks the streaming chunker: the edge sizes (empty, 1 byte, exactly one chunk, one chunk
// + 1 byte) and, with fast-check, that for any input split into arbitrary pieces the chunks
// concatenate back to the input and all but the last are exactly the chunk size.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { splitIntoChunks } from '../../src/chunk/chunker.js'
import { MAX_CHUNK_SIZE_BYTES, MIN_CHUNK_SIZE_BYTES, validateChunkSizeBytes } from '../../src/chunk/chunk-size.js'
import { bytesOf, piecesOf, throwsWith } from '../fixtures-storage/helpers.js'

async function chunksOf (pieces: AsyncIterable<Uint8Array>, chunkSizeBytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = []
  let current: Buffer[] = []
  for await (const event of splitIntoChunks(pieces, chunkSizeBytes)) {
    if (event.kind === 'data') {
      assert.ok(event.bytes.byteLength > 0, 'data events are never empty')
      current.push(Buffer.from(event.bytes))
    } else {
      const chunk = Buffer.concat(current)
      assert.equal(chunk.byteLength, event.sizeBytes)
      chunks.push(chunk)
      current = []
    }
  }
  assert.equal(current.length, 0, 'trailing data without an end event')
  return chunks
}

describe('chunker', () => {
  const size = MIN_CHUNK_SIZE_BYTES

  it('an empty input has no chunks', async () => {
    assert.deepEqual(await chunksOf(piecesOf(Buffer.alloc(0)), size), [])
  })

  it('empty pieces produce no events', async () => {
    async function * empties (): AsyncGenerator<Uint8Array> { yield new Uint8Array(0); yield new Uint8Array(0) }
    assert.deepEqual(await chunksOf(empties(), size), [])
  })

  it('1 byte is one chunk of 1 byte', async () => {
    const chunks = await chunksOf(piecesOf(Buffer.from([42])), size)
    assert.deepEqual(chunks.map((c) => [...c]), [[42]])
  })

  it('exactly one chunk size is one full chunk', async () => {
    const input = bytesOf(size)
    const chunks = await chunksOf(piecesOf(input, 1000), size)
    assert.equal(chunks.length, 1)
    assert.ok(chunks[0]?.equals(input))
  })

  it('one chunk + 1 byte is a full chunk then 1 byte', async () => {
    const input = bytesOf(size + 1)
    const chunks = await chunksOf(piecesOf(input, size + 1), size)
    assert.deepEqual(chunks.map((c) => c.byteLength), [size, 1])
    assert.ok(Buffer.concat(chunks).equals(input))
  })

  it('property: any piece split concatenates back; all chunks but the last are full', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 5 * size + 17 }),
      fc.array(fc.integer({ min: 1, max: 2 * size + 3 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 1000 }),
      async (totalBytes, cutSizes, seed) => {
        const input = bytesOf(totalBytes, seed)
        async function * pieces (): AsyncGenerator<Uint8Array> {
          let offset = 0
          let i = 0
          while (offset < input.byteLength) {
            const take = cutSizes[i++ % cutSizes.length] as number
            yield input.subarray(offset, offset + take)
            offset += take
          }
        }
        const chunks = await chunksOf(pieces(), size)
        assert.ok(Buffer.concat(chunks).equals(input))
        chunks.forEach((chunk, i) => {
          if (i < chunks.length - 1) assert.equal(chunk.byteLength, size)
          else assert.ok(chunk.byteLength > 0 && chunk.byteLength <= size)
        })
        assert.equal(chunks.length, Math.ceil(totalBytes / size))
      }
    ), { numRuns: 60 })
  })
})

describe('chunk size bounds', () => {
  it('accepts 64 KiB and 256 MiB exactly', () => {
    assert.equal(validateChunkSizeBytes(MIN_CHUNK_SIZE_BYTES), 65536)
    assert.equal(validateChunkSizeBytes(MAX_CHUNK_SIZE_BYTES), 268435456)
  })

  it('rejects one byte outside either bound, non-integers and non-numbers, naming the bounds', () => {
    for (const bad of [MIN_CHUNK_SIZE_BYTES - 1, MAX_CHUNK_SIZE_BYTES + 1, 65536.5, 0, -1, Number.NaN, '65536', undefined]) {
      throwsWith(() => validateChunkSizeBytes(bad), 'INVALID_ARGUMENT', /65536 \(64 KiB\) to 268435456 \(256 MiB\)/)
    }
  })
})
