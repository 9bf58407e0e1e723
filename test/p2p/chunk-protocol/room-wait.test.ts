// Checks that a received push waits for room on the receiver's disk only within roomWaitMs,
// between real hosts. The receiver holds one transfer slot per peer; its room claim never
// completes: a hook that ignores the signal it is given, and a real DiskRoom whose disk query
// hangs. Each push is answered PEER_BUSY naming the room wait (not the sender's own TIMEOUT
// waiting for READY, which is what a wait without bound ends in), the slot is free again at
// once (the next push is stored), and a claim granted after the answer is given back.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { chunkCidFromSha256 } from '../../../src/chunk/cid.js'
import { isJadfsError } from '../../../src/errors.js'
import { pushChunk } from '../../../src/p2p/protocols/chunk/push-chunk.js'
import { DiskRoom } from '../../../src/store/disk-room.js'
import { waitFor } from '../helpers/hosts.js'
import { randomChunk } from './store-fixture.js'
import { serve, startPeers, stopPeers, waitForIdle } from './peers.js'
import type { Peer } from './peers.js'

const ROOM_WAIT_MS = 500
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
    return Date.now() - startedMs
  }

  it('answers PEER_BUSY when a claim ignoring its signal never completes, frees the slot, and gives back a late grant', async () => {
    let grant: () => void = () => {}
    let released = 0
    claim = async () => await new Promise((resolve) => { grant = () => { resolve(() => { released++ }) } })
    const tookMs = await refusedAsBusy()
    assert.ok(tookMs < SENDER_IDLE_MS, `answered after ${tookMs} ms`)
    await waitForIdle(receiver)

    claim = async () => () => {}
    assert.equal(await push(), 'stored', 'the slot of the refused push is free again')
    grant()
    await waitFor('the late grant to be given back', () => released === 1, 2000, 10)
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
})
