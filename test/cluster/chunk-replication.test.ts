// Checks copies made as a put writes a chunk, with fake live peers, a fake placement that
// records its calls and picks peers in list order, a fake push that fails for chosen peers,
// and a debt recorder: a sync put with a factor the caller named pushes to the peers the
// placement picked and succeeds with N copies; it fails REPLICATION_UNAVAILABLE before any
// upload when fewer peers are live (checkReplication, at the limit and one below), and after
// the placement rounds when pushes keep failing; after a failed push further peers are tried
// (never the failed one again) and a peer that already had the chunk counts; a default factor, or allowFewer, records the missing copies
// as debt with the holders instead of failing; async records debt [self] without pushing;
// factor 1 does nothing.
import { strict as assert } from 'node:assert'
import { ChunkReplication, type PlacementCandidate } from '../../src/cluster/chunk-replication.js'
import { JadfsError } from '../../src/errors.js'
import type { PutReplication } from '../../src/files/cluster-hooks.js'

const SELF = 'self'
const CHUNK = { cid: 'bafkreichunk', sizeBytes: 1234 }

interface Harness {
  peers: PlacementCandidate[]
  readonly chooseCalls: Array<{ count: number, exclude: string[] }>
  readonly pushes: string[]
  /** pushes to these peers reject */
  readonly failing: Set<string>
  /** pushes to these peers answer that they already had the chunk */
  readonly alreadyHad: Set<string>
  readonly debts: Array<{ cid: string, sizeBytes: number, want: number, holders: string[] }>
  readonly copied: string[]
  readonly warnings: string[]
  /** recordDebt throws this (a full debt queue) when set */
  debtError: Error | undefined
  readonly replication: ChunkReplication
}

function harness (peerIds: string[]): Harness {
  const h = {
    peers: peerIds.map((peerId) => ({ peerId, weight: 1e9 })),
    chooseCalls: [] as Array<{ count: number, exclude: string[] }>,
    pushes: [] as string[],
    failing: new Set<string>(),
    alreadyHad: new Set<string>(),
    debts: [] as Array<{ cid: string, sizeBytes: number, want: number, holders: string[] }>,
    copied: [] as string[],
    warnings: [] as string[],
    debtError: undefined as Error | undefined
  }
  const replication = new ChunkReplication({
    selfId: SELF,
    livePeers: () => h.peers,
    choose: (_cid, peers, count, exclude) => {
      h.chooseCalls.push({ count, exclude: [...exclude].sort() })
      return peers.map((p) => p.peerId).filter((id) => !exclude.has(id)).slice(0, count)
    },
    push: async (peerId) => {
      h.pushes.push(peerId)
      if (h.failing.has(peerId)) throw new Error(`${peerId} refused`)
      h.copied.push(peerId)
      return h.alreadyHad.has(peerId) ? 'already-had' : 'stored'
    },
    recordDebt: (cid, sizeBytes, want, holders) => {
      if (h.debtError !== undefined) throw h.debtError
      h.debts.push({ cid, sizeBytes, want, holders: [...holders] })
    },
    logger: { warn: (_obj, msg) => { h.warnings.push(msg ?? '') } }
  })
  return Object.assign(h, { replication })
}

const put = (factor: number, options: Partial<Omit<PutReplication, 'policy'>> & { mode?: 'sync' | 'async' } = {}): PutReplication => ({
  policy: { factor, mode: options.mode ?? 'sync' },
  explicitFactor: options.explicitFactor ?? true,
  allowFewer: options.allowFewer ?? false,
  signal: undefined
})

const isUnavailable = (pattern: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof JadfsError)
  assert.equal(err.code, 'REPLICATION_UNAVAILABLE')
  assert.match(err.message, pattern)
  return true
}

describe('cluster: chunk replication', () => {
  it('sync with a named factor pushes to the placement picks and succeeds with N copies', async () => {
    const h = harness(['a', 'b', 'c', 'd'])
    h.replication.checkReplication(put(3))
    await h.replication.replicateChunk(CHUNK, put(3))
    assert.deepEqual(h.chooseCalls, [{ count: 2, exclude: [SELF] }])
    assert.deepEqual(h.pushes, ['a', 'b'])
    assert.deepEqual(h.copied, ['a', 'b'])
    assert.deepEqual(h.debts, [])
  })

  it('checkReplication refuses a named sync factor above the live peers (this one included), at the limit it passes', () => {
    const h = harness(['a', 'b'])
    h.replication.checkReplication(put(3)) // 2 peers + this one: exactly enough
    assert.throws(() => h.replication.checkReplication(put(4)), (err: unknown) => {
      isUnavailable(/replication 4 \(sync\) needs 4 live peers, 3 are live/)(err)
      assert.deepEqual((err as JadfsError).details, { wantCopies: 4, livePeers: 3 })
      return true
    })
    h.peers = []
    assert.throws(() => h.replication.checkReplication(put(2)), isUnavailable(/1 is live/))
    // only a strict put is refused: default factor, allowFewer and async are not
    h.replication.checkReplication(put(2, { explicitFactor: false }))
    h.replication.checkReplication(put(2, { allowFewer: true }))
    h.replication.checkReplication(put(2, { mode: 'async' }))
    assert.deepEqual(h.pushes, [])
  })

  it('counts a peer that already had the chunk as a copy', async () => {
    const h = harness(['a', 'b', 'c'])
    h.alreadyHad.add('a')
    await h.replication.replicateChunk(CHUNK, put(3))
    assert.deepEqual(h.pushes, ['a', 'b'])
    assert.deepEqual(h.copied, ['a', 'b'])
    assert.deepEqual(h.debts, [])
  })

  it('tries further peers after a failed push and never the failed one again', async () => {
    const h = harness(['a', 'b', 'c', 'd'])
    h.failing.add('a')
    await h.replication.replicateChunk(CHUNK, put(3))
    assert.deepEqual(h.pushes, ['a', 'b', 'c'])
    assert.deepEqual(h.chooseCalls, [{ count: 2, exclude: [SELF] }, { count: 1, exclude: ['a', 'b', SELF] }])
    assert.deepEqual(h.copied, ['b', 'c'])
    assert.deepEqual(h.debts, [])
  })

  it('fails REPLICATION_UNAVAILABLE, naming the failures, when pushes fail through every placement round', async () => {
    const h = harness(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) h.failing.add(id)
    await assert.rejects(h.replication.replicateChunk(CHUNK, put(3)), (err: unknown) => {
      isUnavailable(/reached 1 of 3 copies; the file was not stored \(a: a refused; b: b refused; c: c refused\)/)(err)
      assert.deepEqual((err as JadfsError).details, { cid: CHUNK.cid, copies: 1, wantCopies: 3 })
      return true
    })
    // three rounds of two picks each, all failing; 'g' and 'h' were never reached
    assert.equal(h.chooseCalls.length, 3)
    assert.deepEqual(h.pushes, ['a', 'b', 'c', 'd', 'e', 'f'])
    assert.deepEqual(h.debts, [])
  })

  it('fails when the live peers run out before N copies', async () => {
    const h = harness(['a', 'b'])
    h.failing.add('b')
    await assert.rejects(h.replication.replicateChunk(CHUNK, put(3)), isUnavailable(/reached 2 of 3 copies/))
    assert.deepEqual(h.pushes, ['a', 'b'])
    assert.deepEqual(h.debts, [])
  })

  it('a default factor stores what it can and records the rest as debt with the holders', async () => {
    const h = harness(['a', 'b'])
    h.failing.add('b')
    h.replication.checkReplication(put(3, { explicitFactor: false }))
    await h.replication.replicateChunk(CHUNK, put(3, { explicitFactor: false }))
    assert.deepEqual(h.pushes, ['a', 'b'])
    assert.deepEqual(h.debts, [{ cid: CHUNK.cid, sizeBytes: CHUNK.sizeBytes, want: 3, holders: [SELF, 'a'] }])
    assert.equal(h.warnings.length, 1)
  })

  it('a full debt queue does not fail a put with the default factor, but does fail one that named its factor', async () => {
    const full = new JadfsError('NO_SPACE', 'the replication queue is full')
    const h = harness([])
    h.debtError = full
    await h.replication.replicateChunk(CHUNK, put(3, { explicitFactor: false }))
    assert.ok(h.warnings.some((w) => /could not record replication debt/.test(w)), h.warnings.join('; '))
    await assert.rejects(h.replication.replicateChunk(CHUNK, put(3, { allowFewer: true })), (err: unknown) => err === full)
  })

  it('allowFewer with a named factor records debt instead of failing, also with no peer at all', async () => {
    const h = harness([])
    await h.replication.replicateChunk(CHUNK, put(3, { allowFewer: true }))
    assert.deepEqual(h.pushes, [])
    assert.deepEqual(h.debts, [{ cid: CHUNK.cid, sizeBytes: CHUNK.sizeBytes, want: 3, holders: [SELF] }])
  })

  it('async records debt [self] without pushing', async () => {
    const h = harness(['a', 'b', 'c'])
    await h.replication.replicateChunk(CHUNK, put(3, { mode: 'async' }))
    assert.deepEqual(h.pushes, [])
    assert.deepEqual(h.chooseCalls, [])
    assert.deepEqual(h.debts, [{ cid: CHUNK.cid, sizeBytes: CHUNK.sizeBytes, want: 3, holders: [SELF] }])
  })

  it('factor 1 does nothing, in either mode', async () => {
    const h = harness(['a', 'b'])
    await h.replication.replicateChunk(CHUNK, put(1))
    await h.replication.replicateChunk(CHUNK, put(1, { mode: 'async' }))
    assert.deepEqual([h.pushes, h.chooseCalls, h.debts], [[], [], []])
    // the control: factor 2 does push
    await h.replication.replicateChunk(CHUNK, put(2))
    assert.deepEqual(h.pushes, ['a'])
  })
})
