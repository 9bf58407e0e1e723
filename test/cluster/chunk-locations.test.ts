// Checks the chunk location cache: holders come most recently confirmed first, without
// duplicates; a deleted event removes a holder and a chunk with none left is forgotten;
// forgetPeer removes a peer everywhere; at maxHoldersPerChunk the least recently confirmed
// holder gives way; at maxChunks the least recently used chunk (by add or lookup) gives way;
// the returned list is a copy.
import { strict as assert } from 'node:assert'
import { ChunkLocations } from '../../src/cluster/locate/chunk-locations.js'

describe('cluster: chunk locations', () => {
  it('lists holders most recently confirmed first, once each', () => {
    const loc = new ChunkLocations()
    loc.add('c', 'a')
    loc.add('c', 'b')
    loc.add('c', 'c')
    assert.deepEqual(loc.holders('c'), ['c', 'b', 'a'])
    loc.add('c', 'a')
    assert.deepEqual(loc.holders('c'), ['a', 'c', 'b'])
    assert.deepEqual(loc.holders('unknown'), [])
  })

  it('removes a holder, and forgets a chunk left with none', () => {
    const loc = new ChunkLocations()
    loc.add('c', 'a')
    loc.add('c', 'b')
    loc.remove('c', 'a')
    loc.remove('c', 'zz')
    loc.remove('unknown', 'a')
    assert.deepEqual(loc.holders('c'), ['b'])
    loc.remove('c', 'b')
    assert.deepEqual(loc.holders('c'), [])
    assert.equal(loc.size, 0)
  })

  it('forgets a peer everywhere', () => {
    const loc = new ChunkLocations()
    loc.add('c1', 'dead')
    loc.add('c1', 'a')
    loc.add('c2', 'dead')
    loc.add('c3', 'b')
    loc.forgetPeer('dead')
    assert.deepEqual(loc.holders('c1'), ['a'])
    assert.deepEqual(loc.holders('c2'), [])
    assert.deepEqual(loc.holders('c3'), ['b'])
    assert.equal(loc.size, 2)
  })

  it('keeps exactly maxHoldersPerChunk holders, dropping the least recently confirmed', () => {
    const loc = new ChunkLocations({ maxHoldersPerChunk: 3 })
    loc.add('c', 'p1')
    loc.add('c', 'p2')
    loc.add('c', 'p3')
    assert.deepEqual(loc.holders('c'), ['p3', 'p2', 'p1'])
    // re-confirming p1 saves it: p2 is now the least recently confirmed
    loc.add('c', 'p1')
    loc.add('c', 'p4')
    assert.deepEqual(loc.holders('c'), ['p4', 'p1', 'p3'])
  })

  it('keeps exactly maxChunks chunks, dropping the least recently used', () => {
    const loc = new ChunkLocations({ maxChunks: 3 })
    loc.add('c1', 'a')
    loc.add('c2', 'a')
    loc.add('c3', 'a')
    assert.equal(loc.size, 3)
    // a lookup is a use: c1 becomes the most recent, c2 the oldest
    assert.deepEqual(loc.holders('c1'), ['a'])
    loc.add('c4', 'a')
    assert.equal(loc.size, 3)
    assert.deepEqual(loc.holders('c2'), [])
    // a new holder of a known chunk is a use too: with c1 refreshed, c3 is the oldest and c5 evicts it
    loc.add('c1', 'b')
    loc.add('c5', 'a')
    assert.deepEqual(loc.holders('c3'), [])
    assert.deepEqual(loc.holders('c1'), ['b', 'a'])
    assert.deepEqual(loc.holders('c4'), ['a'])
    assert.deepEqual(loc.holders('c5'), ['a'])
    assert.equal(loc.size, 3)
  })

  it('returns a copy of the holder list', () => {
    const loc = new ChunkLocations()
    loc.add('c', 'a')
    loc.holders('c').push('mallory')
    assert.deepEqual(loc.holders('c'), ['a'])
  })

  it('refuses limits that are not positive integers', () => {
    assert.throws(() => new ChunkLocations({ maxChunks: 0 }), /maxChunks/)
    assert.throws(() => new ChunkLocations({ maxHoldersPerChunk: 1.5 }), /maxHoldersPerChunk/)
  })
})
