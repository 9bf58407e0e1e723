// Checks the chunk announcer with a fake publish and a fake provide that record their calls:
// each announced id is handed to provide at once; gossip goes out in batches on flush, each id
// once, in the order first announced, and nothing is published with nothing pending; pending
// ids are capped at MAX_PENDING_ANNOUNCEMENTS (all kept at the limit, the oldest dropped one
// past it); a failing publish is logged and swallowed and the announcer keeps working; a flush
// during a flush does not publish twice; the timer flushes after start() and not after stop();
// a deleted chunk is unprovided at once, dropped from pending 'stored' ids and gossiped as
// 'deleted' on the next flush.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CID } from 'multiformats/cid'
import { ChunkAnnouncer, MAX_PENDING_ANNOUNCEMENTS } from '../../src/cluster/chunk-announcer.js'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'

const cid = (n: number): string => chunkCidFromSha256(createHash('sha256').update(`chunk ${n}`).digest())

interface Harness {
  readonly published: string[][]
  readonly provided: string[][]
  readonly deleted: string[][]
  readonly unprovided: string[]
  readonly debug: string[]
  publishImpl: () => Promise<void>
  readonly announcer: ChunkAnnouncer
}

function harness (): Harness {
  const h = {
    published: [] as string[][],
    provided: [] as string[][],
    deleted: [] as string[][],
    unprovided: [] as string[],
    debug: [] as string[],
    publishImpl: async (): Promise<void> => {}
  }
  const announcer = new ChunkAnnouncer({
    publishStored: async (cids: readonly CID[]) => {
      h.published.push(cids.map((c) => c.toString()))
      await h.publishImpl()
    },
    publishDeleted: async (cids: readonly CID[]) => { h.deleted.push(cids.map((c) => c.toString())) },
    provide: (cids) => { h.provided.push([...cids]) },
    unprovide: (id) => { h.unprovided.push(id) },
    logger: { debug: (_obj, msg) => { h.debug.push(msg ?? '') } }
  })
  return Object.assign(h, { announcer })
}

describe('cluster: chunk announcer', () => {
  it('provides each id as it is announced and gossips them in one deduplicated batch', async () => {
    const h = harness()
    for (const n of [1, 2, 1, 3, 2]) h.announcer.announce(cid(n))
    assert.deepEqual(h.provided, [[cid(1)], [cid(2)], [cid(1)], [cid(3)], [cid(2)]])
    assert.deepEqual(h.published, [])
    await h.announcer.flush()
    assert.deepEqual(h.published, [[cid(1), cid(2), cid(3)]])
    // nothing pending: nothing published
    await h.announcer.flush()
    assert.equal(h.published.length, 1)
    h.announcer.announce(cid(4))
    await h.announcer.flush()
    assert.deepEqual(h.published, [[cid(1), cid(2), cid(3)], [cid(4)]])
  })

  it('unprovides a deleted chunk at once and gossips it as deleted, not as stored', async () => {
    const h = harness()
    h.announcer.announce(cid(1))
    h.announcer.announce(cid(2))
    h.announcer.announceDeleted(cid(1))
    assert.deepEqual(h.unprovided, [cid(1)])
    await h.announcer.flush()
    assert.deepEqual(h.published, [[cid(2)]])
    assert.deepEqual(h.deleted, [[cid(1)]])
  })

  it('keeps MAX_PENDING_ANNOUNCEMENTS ids at the limit and drops the oldest one past it', async () => {
    const h = harness()
    const ids = Array.from({ length: MAX_PENDING_ANNOUNCEMENTS + 1 }, (_, i) => cid(i))
    for (const id of ids.slice(0, MAX_PENDING_ANNOUNCEMENTS)) h.announcer.announce(id)
    await h.announcer.flush()
    assert.equal(h.published[0]?.length, MAX_PENDING_ANNOUNCEMENTS)
    assert.deepEqual(h.published[0], ids.slice(0, MAX_PENDING_ANNOUNCEMENTS))

    for (const id of ids) h.announcer.announce(id)
    await h.announcer.flush()
    assert.deepEqual(h.published[1], ids.slice(1))
    // provide is not capped: it has its own bounded scheduler
    assert.equal(h.provided.length, 2 * MAX_PENDING_ANNOUNCEMENTS + 1)
  })

  it('swallows a failing publish, logs it, and keeps announcing', async () => {
    const h = harness()
    h.publishImpl = async () => { throw new Error('NoPeersSubscribedToTopic') }
    h.announcer.announce(cid(1))
    await h.announcer.flush()
    assert.equal(h.debug.length, 1)
    assert.match(h.debug[0] ?? '', /could not gossip/)
    // gossip is soft state: the failed batch is not resent
    h.publishImpl = async () => {}
    h.announcer.announce(cid(2))
    await h.announcer.flush()
    assert.deepEqual(h.published, [[cid(1)], [cid(2)]])
  })

  it('does not publish twice when flushed during a flush; ids announced meanwhile go in the next batch', async () => {
    const h = harness()
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    let calls = 0
    // only the first publish is held, so a second one fails the check below instead of hanging
    h.publishImpl = async () => { if (calls++ === 0) await held }
    h.announcer.announce(cid(1))
    const first = h.announcer.flush()
    h.announcer.announce(cid(2))
    await h.announcer.flush()
    assert.equal(h.published.length, 1)
    release()
    await first
    await h.announcer.flush()
    assert.deepEqual(h.published, [[cid(1)], [cid(2)]])
  })

  it('flushes on its timer once started, and no more after stop()', async () => {
    const h = harness()
    h.announcer.start(5)
    h.announcer.announce(cid(1))
    // a loaded machine may run the timer late; wait for it, up to a bound
    for (let waitedMs = 0; h.published.length === 0 && waitedMs < 2000; waitedMs += 10) await sleep(10)
    assert.deepEqual(h.published, [[cid(1)]])
    h.announcer.stop()
    h.announcer.announce(cid(2))
    await sleep(50)
    assert.equal(h.published.length, 1)
  })
})
