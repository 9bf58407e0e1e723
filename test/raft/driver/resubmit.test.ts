// Checks that a request forwarded to a leader that is then replaced is not left to time out,
// and that a proposal re-sent that way takes effect once (thesis §6.3, proposal-window.ts). Each
// test loses or holds messages by hand on the in-memory transport: a proposal or read lost with
// its leader completes under the next one well before its deadline; a proposal the old leader
// had already replicated commits once and its copy is skipped everywhere; a copy committed past
// the window is applied nowhere and its proposer told to retry; a proposer that catches up from a
// snapshot covering its proposal answers at once instead of at the deadline, also when the
// snapshot no longer remembers it (past the window), so that its later copy is not taken for a
// write never applied; and a node id that cannot make a proposal id fails at start.
import { strict as assert } from 'node:assert'
import { isJadfsError } from '../../../src/errors.js'
import { MAX_TAG_ID_BYTES } from '../../../src/raft/proposal-window.js'
import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { Message, MessageType, NodeId } from '../../../src/raft/types.js'
import { Cluster, KvStateMachine, cmd } from './harness.js'

const VOTERS = ['n1', 'n2', 'n3']
const DEADLINE_TICKS = 200

interface Outcome { settled: boolean, value?: unknown, error?: unknown, ticks: number }

/** tracks a request's outcome and the tick count when it settled */
function track (c: Cluster, p: Promise<unknown>): { outcome: Outcome, run: (maxTicks: number) => Promise<void> } {
  const outcome: Outcome = { settled: false, ticks: 0 }
  let ticks = 0
  p.then((value) => { Object.assign(outcome, { settled: true, value, ticks }) }, (error: unknown) => { Object.assign(outcome, { settled: true, error, ticks }) })
  return {
    outcome,
    run: async (maxTicks) => {
      for (let i = 0; i < maxTicks && !outcome.settled; i++) {
        c.tick()
        ticks++
        for (let j = 0; j < 4; j++) await Promise.resolve()
      }
    }
  }
}

/** delivers the queued messages of one type (others stay queued) */
function deliver (c: Cluster, type: MessageType): number {
  const now = c.queue.filter((m) => m.type === type)
  c.queue = c.queue.filter((m) => m.type !== type)
  for (const m of now) c.node(m.to).driver.receive(m)
  return now.length
}

function cluster (sm: () => KvStateMachine = () => new KvStateMachine()): Cluster {
  const c = new Cluster({ requestTimeoutTicks: DEADLINE_TICKS })
  for (const id of VOTERS) c.add(id, new MemoryRaftStorage({ voters: VOTERS, learners: [] }), sm())
  return c
}

function followerOf (leader: NodeId): NodeId {
  return VOTERS.find((id) => id !== leader)!
}

describe('raft driver: requests re-sent to a new leader', () => {
  it('a proposal forwarded to a leader that dies with it is re-sent to the next leader and applied long before its deadline', async () => {
    const c = cluster()
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.isolate(leader) // the forwarded MsgProp is lost, as with a leader that died
    const t = track(c, c.driver(follower).propose(cmd('set k v')))
    await t.run(DEADLINE_TICKS)
    assert.ok(t.outcome.settled && t.outcome.error === undefined, String(t.outcome.error))
    assert.equal(t.outcome.value, null)
    assert.ok(t.outcome.ticks < DEADLINE_TICKS / 2, `answered after ${t.outcome.ticks} ticks`)
    for (const id of VOTERS.filter((id) => id !== leader)) assert.equal(c.node(id).sm.data.get('k'), 'v', id)
  })

  it('a read forwarded to a leader that dies with it is re-sent to the next leader', async () => {
    const c = cluster()
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.isolate(leader)
    const t = track(c, c.driver(follower).readBarrier())
    await t.run(DEADLINE_TICKS)
    assert.ok(t.outcome.settled && t.outcome.error === undefined, String(t.outcome.error))
    assert.ok(t.outcome.ticks < DEADLINE_TICKS / 2, `answered after ${t.outcome.ticks} ticks`)
  })

  it('a proposal lost under a leader is re-sent when that same leader leads again in a later term', async () => {
    // The follower is cut off as it forwards its proposal, so the leader never gets it. While
    // the follower hears nothing, leadership moves to the other voter and back: the follower
    // next hears the same leader, two terms on. That leader may have been replaced meanwhile
    // and lost what it had, so the proposal must be re-sent (the re-send is keyed on leader
    // and term, not the leader alone).
    const c = cluster()
    const leader = c.waitForLeader()
    const [follower, other] = VOTERS.filter((id) => id !== leader) as [NodeId, NodeId]
    const termBefore = c.driver(leader).status().term
    c.isolate(follower)
    const t = track(c, c.driver(follower).propose(cmd('set k v')))
    const leads = (id: NodeId): boolean => c.driver(id).status().role === 'leader'
    c.driver(leader).transferLeadership(other)
    for (let i = 0; i < 5 && !leads(other); i++) c.tick()
    assert.ok(leads(other), 'the transfer to the other voter did not happen')
    c.driver(other).transferLeadership(leader)
    for (let i = 0; i < 5 && !leads(leader); i++) c.tick()
    assert.ok(leads(leader), 'the transfer back did not happen')
    assert.equal(c.driver(leader).status().term, termBefore + 2)
    assert.equal(c.driver(follower).status().leader, leader, 'the follower heard of the other leader: this is not the case under test')
    assert.equal(c.node(leader).sm.data.get('k'), undefined, 'the proposal was not lost')
    c.heal()
    await t.run(DEADLINE_TICKS)
    assert.ok(t.outcome.settled && t.outcome.error === undefined, String(t.outcome.error))
    assert.ok(t.outcome.ticks < DEADLINE_TICKS / 2, `answered after ${t.outcome.ticks} ticks`)
    for (const id of VOTERS) assert.equal(c.node(id).sm.data.get('k'), 'v', id)
  })

  it('a proposal the old leader replicated before dying commits once under the next leader; its re-sent copy is skipped on every node', async () => {
    const c = cluster()
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.tick(2)
    const p = c.driver(follower).propose(cmd('set k v'))
    assert.equal(deliver(c, 'MsgProp'), 1)
    assert.equal(deliver(c, 'MsgApp'), 2, 'the leader replicates it to both followers')
    c.queue = [] // their acknowledgements are lost: the old leader never commits it
    c.isolate(leader)
    const t = track(c, p)
    await t.run(DEADLINE_TICKS)
    assert.ok(t.outcome.settled && t.outcome.error === undefined, String(t.outcome.error))
    c.tick(3)
    for (const id of VOTERS.filter((id) => id !== leader)) {
      const sm = c.node(id).sm
      assert.equal(sm.payloads.filter((x) => x === 'set k v').length, 2, `${id} saw the proposal and its copy`)
      assert.deepEqual(sm.skipped.map((s) => s.verdict), ['duplicate'], `${id} skipped the copy`)
    }
  })

  it('a copy committed more than the window after it was proposed is applied nowhere, and its proposer is told to retry', async () => {
    const window = 3
    const c = cluster(() => new KvStateMachine(window))
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.tick(2)
    const late = track(c, c.driver(follower).propose(cmd('set late x')))
    const held = c.queue.filter((m) => m.type === 'MsgProp')
    c.queue = c.queue.filter((m) => m.type !== 'MsgProp')
    assert.equal(held.length, 1)
    for (let i = 0; i < window; i++) await c.settle(c.driver(leader).propose(cmd(`set k${i} ${i}`)))
    for (const m of held) c.node(m.to).driver.receive(m as Message) // arrives window + 1 entries late (the leader's no-op counts)
    await late.run(20)
    assert.ok(late.outcome.settled && isJadfsError(late.outcome.error, 'PROPOSAL_DROPPED'), String(late.outcome.error))
    c.tick(3)
    for (const id of VOTERS) {
      assert.equal(c.node(id).sm.data.get('late'), undefined, id)
      assert.deepEqual(c.node(id).sm.skipped.map((s) => s.verdict), ['expired'], id)
    }
  })

  it('a proposer that catches up from a snapshot covering its proposal answers TIMEOUT at once, not at the deadline', async () => {
    const c = new Cluster({ requestTimeoutTicks: DEADLINE_TICKS, snapshotEntries: 3 })
    for (const id of VOTERS) c.add(id, new MemoryRaftStorage({ voters: VOTERS, learners: [] }))
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.tick(2)
    const t = track(c, c.driver(follower).propose(cmd('set k v')))
    assert.equal(deliver(c, 'MsgProp'), 1)
    c.isolate(follower) // the follower misses the entry and the ones after it
    const third = VOTERS.find((id) => id !== leader && id !== follower)!
    for (let i = 0; i < 6; i++) await c.settle(c.driver(leader).propose(cmd(`set k${i} ${i}`)))
    assert.equal(c.node(third).sm.data.get('k'), 'v')
    assert.ok(c.node(leader).storage.firstIndex() > 2, 'the leader compacted its log past the proposal')
    c.heal()
    await t.run(DEADLINE_TICKS)
    assert.ok(c.node(follower).storage.snapshot().metadata.index > 0, 'the follower installed a snapshot')
    assert.ok(t.outcome.settled && isJadfsError(t.outcome.error, 'TIMEOUT'), String(t.outcome.error))
    assert.match(String(t.outcome.error), /snapshot that includes the write: it was applied/)
    assert.ok(t.outcome.ticks < 20, `answered after ${t.outcome.ticks} ticks`)
    assert.equal(c.node(follower).sm.data.get('k'), 'v')
  })

  it('a proposer whose snapshot covers its proposal past the window answers TIMEOUT, and its later copy is not reported as never applied', async () => {
    const window = 3
    const c = new Cluster({ requestTimeoutTicks: DEADLINE_TICKS, snapshotEntries: 3 })
    for (const id of VOTERS) c.add(id, new MemoryRaftStorage({ voters: VOTERS, learners: [] }), new KvStateMachine(window))
    const leader = c.waitForLeader()
    const follower = followerOf(leader)
    c.tick(2)
    const t = track(c, c.driver(follower).propose(cmd('set k v')))
    assert.equal(deliver(c, 'MsgProp'), 1)
    c.isolate(follower)
    for (let i = 0; i < 8; i++) await c.settle(c.driver(leader).propose(cmd(`set k${i} ${i}`)))
    c.heal()
    c.tick(5) // the follower installs the snapshot, whose table has forgotten the proposal
    c.isolate(leader) // a new leader: the follower sends its copy again, which expires
    await t.run(DEADLINE_TICKS)
    assert.ok(t.outcome.settled && isJadfsError(t.outcome.error, 'TIMEOUT'), `the write was applied; got ${String(t.outcome.error)}`)
    assert.match(String(t.outcome.error), /may include the write/)
    assert.ok(t.outcome.ticks < 20, `answered after ${t.outcome.ticks} ticks`)
    for (const id of VOTERS) assert.equal(c.node(id).sm.data.get('k'), 'v', id)
  })

  it('a node id that cannot make a proposal id fails when the driver starts, not at its first write', () => {
    assert.throws(() => cluster().add('a@1', new MemoryRaftStorage({ voters: ['a@1'], learners: [] })), /short printable request id/)
    assert.throws(() => cluster().add('n'.repeat(MAX_TAG_ID_BYTES - 40), new MemoryRaftStorage({ voters: ['n'], learners: [] })), /short printable request id/)
    cluster().add('n'.repeat(MAX_TAG_ID_BYTES - 60), new MemoryRaftStorage({ voters: ['n'], learners: [] }))
  })
})
