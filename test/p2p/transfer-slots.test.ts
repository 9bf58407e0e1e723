// Checks TransferSlots, the admission shared by the chunk protocols and the Raft transport:
// exactly maxPerPeer slots go to one peer and the next is refused as 'peer-limit'; exactly
// maxTotal go to all peers and the next peer is refused as 'total-limit'; a release frees one
// slot for that peer, and releasing twice frees it only once. Plain calls, no hosts.
import { strict as assert } from 'node:assert'
import { TransferSlots } from '../../src/p2p/protocols/transfer-slots.js'

describe('p2p transfer slots', () => {
  const acquired = (r: ReturnType<TransferSlots['tryAcquire']>): () => void => {
    assert.equal(typeof r, 'function', `refused: ${String(r)}`)
    return r as () => void
  }

  it('gives one peer exactly maxPerPeer slots and all peers exactly maxTotal', () => {
    const slots = new TransferSlots(2, 3)
    acquired(slots.tryAcquire('a'))
    const a2 = acquired(slots.tryAcquire('a'))
    assert.equal(slots.tryAcquire('a'), 'peer-limit')
    acquired(slots.tryAcquire('b'))
    assert.equal(slots.inUse, 3)
    assert.equal(slots.tryAcquire('c'), 'total-limit')
    // a peer at its own limit is told so even when the total is full too
    assert.equal(slots.tryAcquire('a'), 'peer-limit')
    a2()
    assert.equal(slots.inUse, 2)
    acquired(slots.tryAcquire('c'))
  })

  it('a release frees its slot once, however often it is called', () => {
    const slots = new TransferSlots(1, 2)
    const a = acquired(slots.tryAcquire('a'))
    acquired(slots.tryAcquire('b'))
    a()
    a()
    assert.equal(slots.inUse, 1)
    acquired(slots.tryAcquire('a'))
    assert.equal(slots.tryAcquire('a'), 'peer-limit')
    assert.equal(slots.tryAcquire('c'), 'total-limit')
  })
})
