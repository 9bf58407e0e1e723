// Checks the room writers claim on this peer's disk, with a fake disk and a fake eviction
// that frees a set amount per cached copy: concurrent claims count each other's bytes (the
// disk does not show them yet), so the third of three 8-byte claims on 20 bytes above the
// reserve evicts; with nothing left to evict a claim is refused (null) and holds nothing; a
// release gives the bytes back once, however often it is called; a reserve of 0 turns the
// accounting off (no disk query at all).
import { strict as assert } from 'node:assert'
import { DiskRoom } from '../../src/store/disk-room.js'

const RESERVE = 100

function fakeDisk (freeAboveReserve: number, cachedCopies: number, copyBytes = 8): { room: DiskRoom, evictions: () => number } {
  let free = RESERVE + freeAboveReserve
  let cached = cachedCopies
  let evictions = 0
  const room = new DiskRoom({
    reservedFreeBytes: RESERVE,
    freeBytes: async () => {
      await new Promise((resolve) => setImmediate(resolve))
      return free
    },
    evict: async (hasRoom) => {
      while (!await hasRoom() && cached > 0) {
        cached--
        free += copyBytes
        evictions++
      }
    }
  })
  return { room, evictions: () => evictions }
}

describe('store: room on the disk for chunks on their way', () => {
  it('counts claims in flight, evicting when they would not fit together', async () => {
    const { room, evictions } = fakeDisk(20, 1)
    const releases = await Promise.all([room.claim(8), room.claim(8), room.claim(8)])
    assert.ok(releases.every((r) => r !== null))
    assert.equal(room.claimed, 24)
    assert.equal(evictions(), 1, 'three 8-byte claims on 20 free bytes needed exactly one eviction')
    for (const release of releases) release?.()
    assert.equal(room.claimed, 0)
  })

  it('refuses a claim that does not fit with nothing left to evict; a release gives the bytes back once', async () => {
    const { room } = fakeDisk(10, 0)
    const release = await room.claim(8)
    assert.ok(release !== null)
    assert.equal(await room.claim(8), null)
    assert.equal(room.claimed, 8, 'a refused claim holds nothing')
    release()
    release()
    assert.equal(room.claimed, 0)
    const again = await room.claim(10)
    assert.ok(again !== null, 'exactly the room left is room enough')
    assert.equal(await room.claim(1), null)
    again()
  })

  it('with no reserve, claims nothing and asks the disk nothing', async () => {
    let asked = 0
    const room = new DiskRoom({ reservedFreeBytes: 0, freeBytes: async () => { asked++; return 0 } })
    const release = await room.claim(1e12)
    assert.ok(release !== null)
    assert.equal(room.claimed, 0)
    assert.equal(asked, 0)
  })
})
