// Checks the room writers claim on this peer's disk, with a fake disk and a fake eviction
// that frees a set amount per cached copy: concurrent claims count each other's bytes (the
// disk does not show them yet), so the third of three 8-byte claims on 20 bytes above the
// reserve evicts; with nothing left to evict a claim is refused (null) and holds nothing; a
// release gives the bytes back once, however often it is called; a reserve of 0 still counts
// claims in flight against the free space (and evicts); the disk is asked at most once a
// second while claims fit in the last reading, bytes released since that reading still count
// as taken, and a claim that does not fit in the reading asks again at once. A claim whose signal aborts rejects
// with its reason and holds nothing: skipped if it was still waiting for its turn, given back
// if it was being decided.
import { strict as assert } from 'node:assert'
import { DiskRoom, FREE_SPACE_READING_MS } from '../../src/store/disk-room.js'

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

  it('asks the disk at most once a second while claims fit, counting what was written since', async () => {
    let free = RESERVE + 30
    let asked = 0
    let clock = 0
    const room = new DiskRoom({ reservedFreeBytes: RESERVE, nowMs: () => clock, freeBytes: async () => { asked++; return free } })
    const first = await room.claim(10)
    first?.()
    free -= 10 // the first chunk is on disk now; the reading does not know yet
    const second = await room.claim(10)
    assert.equal(asked, 1, 'a claim that fits in a fresh reading asked the disk')
    assert.equal(await room.claim(11), null, 'the bytes written since the reading were counted as free')
    assert.equal(asked, 3, 'a claim that does not fit asks the disk again (and once more after evicting nothing)')
    second?.()
    free -= 10
    clock += FREE_SPACE_READING_MS
    const third = await room.claim(10)
    assert.ok(third !== null)
    assert.equal(asked, 4, 'an old reading was trusted')
    assert.equal(await room.claim(1), null, 'exactly full: 30 above the reserve, 30 written or claimed')
    third?.()
  })

  it('gives up a claim when its signal aborts: skipped if still waiting its turn, given back if being decided', async () => {
    let answerDisk: () => void = () => {}
    const diskAnswered = new Promise<void>((resolve) => { answerDisk = resolve })
    let asked = 0
    let evictions = 0
    // room for one 8-byte claim; a second would have to evict the one cached copy
    const room = new DiskRoom({
      reservedFreeBytes: RESERVE,
      freeBytes: async () => { asked++; await diskAnswered; return RESERVE + 10 },
      evict: async () => { evictions++ }
    })
    const deciding = new AbortController()
    const waiting = new AbortController()
    const first = room.claim(8, deciding.signal)
    const second = room.claim(8, waiting.signal)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(asked, 1, 'the first claim is being decided')
    waiting.abort(new Error('second gave up'))
    deciding.abort(new Error('first gave up'))
    await assert.rejects(second, /second gave up/)
    await assert.rejects(first, /first gave up/)

    answerDisk()
    const probe = await room.claim(1)
    assert.equal(room.claimed, 1, 'the claim decided after its caller gave up was given back')
    assert.deepEqual([asked, evictions], [1, 0], 'the claim abandoned before its turn neither asked the disk nor evicted')
    probe?.()
    const late = new AbortController()
    late.abort(new Error('gave up before asking'))
    await assert.rejects(room.claim(1, late.signal), /gave up before asking/)
    assert.equal(room.claimed, 0)
  })

  it('with no reserve, still counts claims in flight against the free space, evicting to make room', async () => {
    // --reserve 0 once turned the ledger off: concurrent writers then each saw the same free
    // bytes, and nothing evicted cached copies for a read on a full disk
    let free = 16
    let cached = 1
    let evictions = 0
    const room = new DiskRoom({
      reservedFreeBytes: 0,
      freeBytes: async () => free,
      evict: async (hasRoom) => {
        while (!await hasRoom() && cached > 0) {
          cached--
          free += 8
          evictions++
        }
      }
    })
    const fit = await Promise.all([room.claim(8), room.claim(8)])
    assert.ok(fit.every((r) => r !== null))
    assert.deepEqual([room.claimed, evictions], [16, 0], 'two claims of exactly the free bytes fit as they are')
    const third = await room.claim(8)
    assert.ok(third !== null)
    assert.deepEqual([room.claimed, evictions], [24, 1], 'one more byte than is free evicted the cached copy')
    assert.equal(await room.claim(1), null, 'with nothing left to evict, a claim over the free space is refused')
    for (const release of [...fit, third]) release?.()
    assert.equal(room.claimed, 0)
  })
})
