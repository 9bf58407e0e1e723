// Checks the scrub pass with fakes: every ok chunk is verified once (bad and absent ones are
// skipped); a CHUNK_CORRUPT verdict is healed from a peer and counted, a failed heal is logged
// and the pass goes on; other errors (a chunk collected meanwhile) are not counted as damage;
// the pace is held by sleeping so that n bytes take at least n / bytesPerSecond seconds; a
// stop aborts the pass.
import { strict as assert } from 'node:assert'
import { Scrubber } from '../../src/cluster/scrubber.js'
import { JadfsError } from '../../src/errors.js'

interface Harness {
  verified: string[]
  healed: string[]
  slept: number[]
  corrupt: Set<string>
  gone: Set<string>
  healFails: boolean
  controller: AbortController
  scrubber: Scrubber
}

function harness (rows: Array<{ cid: string, sizeBytes: number, state: string }>, bytesPerSecond = 1000): Harness {
  const h = { verified: [] as string[], healed: [] as string[], slept: [] as number[], corrupt: new Set<string>(), gone: new Set<string>(), healFails: false, controller: new AbortController() }
  const scrubber = new Scrubber({
    localChunks: () => rows,
    verify: async (cid) => {
      h.verified.push(cid)
      if (h.gone.has(cid)) throw new JadfsError('CHUNK_NOT_FOUND', `${cid} was collected`)
      if (h.corrupt.has(cid)) throw new JadfsError('CHUNK_CORRUPT', `${cid} does not match`)
    },
    heal: async (chunk) => {
      if (h.healFails) throw new JadfsError('CHUNK_UNAVAILABLE', 'nobody has it')
      h.healed.push(chunk.cid)
    },
    sleep: async (ms) => { h.slept.push(Math.round(ms)) },
    signal: h.controller.signal,
    bytesPerSecond,
    logger: { info: () => {}, warn: () => {} }
  })
  return Object.assign(h, { scrubber })
}

describe('cluster: scrubber', () => {
  it('verifies each ok chunk once, heals a corrupt one, and skips bad and absent rows', async () => {
    const h = harness([{ cid: 'a', sizeBytes: 10, state: 'ok' }, { cid: 'b', sizeBytes: 10, state: 'bad' }, { cid: 'c', sizeBytes: 10, state: 'ok' }, { cid: 'd', sizeBytes: 10, state: 'absent' }])
    h.corrupt.add('c')
    const report = await h.scrubber.scrubOnce()
    assert.deepEqual(h.verified, ['a', 'c'])
    assert.deepEqual(h.healed, ['c'])
    assert.deepEqual(report, { chunksChecked: 2, bytesChecked: 20, corrupt: 1, healed: 1 })
  })

  it('goes on when a heal fails, and does not count a chunk collected meanwhile as damage', async () => {
    const h = harness([{ cid: 'a', sizeBytes: 10, state: 'ok' }, { cid: 'b', sizeBytes: 10, state: 'ok' }, { cid: 'c', sizeBytes: 10, state: 'ok' }])
    h.corrupt.add('a')
    h.gone.add('b')
    h.healFails = true
    const report = await h.scrubber.scrubOnce()
    assert.deepEqual(h.verified, ['a', 'b', 'c'])
    assert.deepEqual(report, { chunksChecked: 2, bytesChecked: 20, corrupt: 1, healed: 0 })
  })

  it('holds its pace: a chunk of n bytes takes at least n / bytesPerSecond', async () => {
    const h = harness([{ cid: 'a', sizeBytes: 2000, state: 'ok' }, { cid: 'b', sizeBytes: 500, state: 'ok' }], 1000)
    await h.scrubber.scrubOnce()
    assert.equal(h.slept.length, 2)
    assert.ok(h.slept[0]! >= 1990 && h.slept[0]! <= 2000, `slept ${h.slept[0]} ms for 2000 bytes at 1000 B/s`)
    assert.ok(h.slept[1]! >= 490 && h.slept[1]! <= 500, `slept ${h.slept[1]} ms for 500 bytes`)
  })

  it('stops when its signal aborts', async () => {
    const h = harness([{ cid: 'a', sizeBytes: 1, state: 'ok' }])
    h.controller.abort()
    await assert.rejects(h.scrubber.scrubOnce())
    assert.deepEqual(h.verified, [])
  })
})
