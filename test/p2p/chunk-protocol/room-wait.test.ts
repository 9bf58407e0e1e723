// Checks that a received push waits for room on the receiver's disk for roomWaitMs, and no
// longer, between real hosts. The receiver holds one transfer slot per peer. A claim granted
// after half the room wait is waited for: the push is stored. A claim that never completes (a
// hook that only stops at its signal, and a real DiskRoom whose disk query hangs) is
// answered PEER_BUSY naming the room wait, no sooner than roomWaitMs after the push began (and
// not with the sender's own TIMEOUT waiting for READY, which is what a wait without bound ends
// in); the slot is free again at once (the next push is stored), and the DiskRoom gives back
// the claim it grants after the answer. A room wait not below the idle deadline is refused as a programmer
// error when the limits are resolved (exactly one ms below is accepted).
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { isJadfsError } from '../../../src/errors.js'
import { DEFAULT_SERVER_LIMITS, resolveServerLimits } from '../../../src/p2p/protocols/chunk/constants.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { DiskRoom } from '../../../src/store/disk-room.js'
import { AssertionFailure } from '../../../src/util/assert.js'
import { randomChunk } from './store-fixture.js'
import { serve, sleep, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

const ROOM_WAIT_MS = 1000
/** the sender's wait for READY: far above the room wait, so only a bounded wait answers in time */
const SENDER_IDLE_MS = 5000

function cidOf (bytes: Uint8Array): string {
  return chunkCidFromSha256(createHash('sha256').update(bytes).digest())
}

describe('chunk protocol: waiting for room on a push', function () {
  let peers: Peer[] = []
  let sender: Peer
  let receiver: Peer
  let claim: (sizeBytes: number, signal: AbortSignal) => Promise<() => void>

  before(async () => {
    peers = await startPeers(2)
    ;[sender, receiver] = peers as [Peer, Peer]
    await serve(receiver, { roomWaitMs: ROOM_WAIT_MS, maxTransfersPerPeer: 1 }, { claimRoom: async (sizeBytes, signal) => await claim(sizeBytes, signal) })
  })
  after(async () => { await stopPeers(peers) })

  async function push (): Promise<string> {
    const bytes = randomChunk(100_000)
    return await pushChunk(sender.host, receiver.host.peerId, cidOf(bytes), { sizeBytes: bytes.byteLength, body: [bytes] }, { limits: { idleTimeoutMs: SENDER_IDLE_MS } })
  }

  async function refusedAsBusy (): Promise<number> {
    const startedMs = Date.now()
    await assert.rejects(push(), (err) => isJadfsError(err, 'PEER_BUSY') && err.details?.remote === true &&
      new RegExp(`no room could be made on this peer's disk for 100000 bytes within ${ROOM_WAIT_MS} ms`).test(err.message))
    const tookMs = Date.now() - startedMs
    assert.ok(tookMs >= ROOM_WAIT_MS, `answered after ${tookMs} ms, before the room wait was over`)
    return tookMs
  }

  it('waits for a claim granted after half the room wait, and stores the push', async () => {
    let claimedWithin: boolean | undefined
    claim = async (_sizeBytes, signal) => {
      await sleep(ROOM_WAIT_MS / 2)
      claimedWithin = !signal.aborted
      return () => {}
    }
    assert.equal(await push(), 'stored')
    assert.equal(claimedWithin, true)
  })

  it('answers PEER_BUSY when a claim never completes before its signal, and frees the slot', async () => {
    claim = async (_sizeBytes, signal) => await new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
    })
    const tookMs = await refusedAsBusy()
    assert.ok(tookMs < SENDER_IDLE_MS, `answered after ${tookMs} ms`)
    await waitForIdle(receiver)

    claim = async () => () => {}
    assert.equal(await push(), 'stored', 'the slot of the refused push is free again')
  })

  it('answers PEER_BUSY when the room ledger is stuck on its disk query, and the ledger keeps nothing of it', async () => {
    let answerDisk: () => void = () => {}
    const diskAnswered = new Promise<void>((resolve) => { answerDisk = resolve })
    const room = new DiskRoom({ reservedFreeBytes: 1000, freeBytes: async () => { await diskAnswered; return 10_000_000 } })
    claim = async (sizeBytes, signal) => {
      const release = await room.claim(sizeBytes, signal)
      assert.ok(release !== null)
      return release
    }
    await refusedAsBusy()
    await waitForIdle(receiver)

    answerDisk()
    // claims are decided in turn: once this one is, the abandoned one before it was too
    const probe = await room.claim(1)
    assert.equal(room.claimed, 1, 'the abandoned claim was given back')
    probe?.()
    assert.equal(await push(), 'stored')
    assert.equal(room.claimed, 0)
  })

  it('refuses a room wait not below the idle deadline when the limits are resolved', () => {
    const idleTimeoutMs = 2000
    assert.equal(resolveServerLimits({ idleTimeoutMs, roomWaitMs: idleTimeoutMs - 1 }).roomWaitMs, idleTimeoutMs - 1)
    assert.throws(() => resolveServerLimits({ idleTimeoutMs, roomWaitMs: idleTimeoutMs }), AssertionFailure)
    assert.throws(() => resolveServerLimits({ roomWaitMs: DEFAULT_SERVER_LIMITS.idleTimeoutMs }), AssertionFailure)
  })
})
