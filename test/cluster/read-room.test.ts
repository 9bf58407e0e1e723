// Checks the room reads claim for the chunks they fetch, with a fake disk (free bytes above the
// reserve) and a fake eviction that frees a set amount per cached copy: concurrent claims count
// each other's bytes (the disk does not show them yet), so the third of three 8-byte claims on
// 20 free bytes evicts; with nothing left to evict it is NO_SPACE; a release gives the bytes
// back (once, however often it is called); claims made at once are decided one at a time.
import { strict as assert } from 'node:assert'
import { ReadRoom } from '../../src/cluster/read-room.js'
import { JadfsError } from '../../src/errors.js'

function fakeDisk (freeBytes: number, cachedCopies: number, copyBytes = 8): { room: ReadRoom, evictions: () => number } {
  let free = freeBytes
  let cached = cachedCopies
  let evictions = 0
  const room = new ReadRoom({
    hasRoomNow: async (bytes) => {
      await new Promise((resolve) => setImmediate(resolve))
      return bytes <= free
    },
    evictCachedForRoom: async (hasRoom) => {
      while (!await hasRoom() && cached > 0) {
        cached--
        free += copyBytes
        evictions++
      }
    }
  })
  return { room, evictions: () => evictions }
}

const chunk = (n: number, sizeBytes = 8): { cid: string, sizeBytes: number } => ({ cid: `c${n}`, sizeBytes })

describe('cluster: room for what reads fetch', () => {
  it('counts claims in flight, evicting when they would not fit together', async () => {
    const { room, evictions } = fakeDisk(20, 1)
    const releases = await Promise.all([room.claim(chunk(1)), room.claim(chunk(2)), room.claim(chunk(3))])
    assert.equal(room.claimed, 24)
    assert.equal(evictions(), 1, 'three 8-byte claims on 20 free bytes needed exactly one eviction')
    for (const release of releases) release()
    assert.equal(room.claimed, 0)
  })

  it('is NO_SPACE when nothing is left to evict, and a release gives the bytes back once', async () => {
    const { room } = fakeDisk(10, 0)
    const release = await room.claim(chunk(1))
    await assert.rejects(room.claim(chunk(2)), (err) => err instanceof JadfsError && err.code === 'NO_SPACE' && /no room to hold chunk c2 \(8 bytes\)/.test(err.message))
    assert.equal(room.claimed, 8, 'a refused claim holds nothing')
    release()
    release()
    assert.equal(room.claimed, 0)
    const again = await room.claim(chunk(3))
    assert.equal(room.claimed, 8)
    again()
  })
})
