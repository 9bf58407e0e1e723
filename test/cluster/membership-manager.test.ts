// Checks the leader's membership manager with a fake Raft status whose configuration the fake
// change() applies, a fake peer table, a fake reach() and a fake clock: a non-leader does
// nothing (the same setup on a leader does act); an alive non-member is added as a learner only
// when reach() succeeds, with its addresses as JSON context; caught-up alive learners are
// promoted while the live voters are short of the target, and one whose match index is more
// than 64 entries behind is not (checked at the boundary); a voter dead for longer than
// replaceAfterMs is replaced by promoting first and removing once the set is above its target
// (not at exactly replaceAfterMs), and never removed without a replacement; voters missing from
// the peer table count as dead from when first noticed; a peer removed by hand is not re-added;
// each runOnce makes at most one change; a failing change() is logged and retried next round.
import { strict as assert } from 'node:assert'
import { DEAD_LEARNER_FACTOR, MembershipManager, type MembershipManagerComponents, type PeerSighting } from '../../src/cluster/membership-manager.js'
import type { RaftStatus } from '../../src/raft/api.js'
import type { ConfChange, ConfState, RaftRole } from '../../src/raft/types.js'

const SELF = 'self'
const T0 = 1_700_000_000_000
const REPLACE_AFTER_MS = 30_000
const LAST_INDEX = 1000
/** mirrors CAUGHT_UP_ENTRIES in the module */
const CAUGHT_UP_ENTRIES = 64

interface Harness {
  role: RaftRole
  voters: string[]
  learners: string[]
  /** match index per peer; a peer not listed has progress at lastIndex */
  readonly match: Map<string, number>
  peers: PeerSighting[]
  readonly clock: { now: number }
  readonly changes: ConfChange[]
  readonly reached: string[]
  /** peers reach() fails for */
  readonly unreachable: Set<string>
  /** the next change() calls fail with these errors, one each */
  readonly failNextChanges: Error[]
  readonly warnings: Array<{ obj: object, msg?: string }>
  readonly manager: MembershipManager
}

function harness (targetVoters = 3): Harness {
  const h = {
    role: 'leader' as RaftRole,
    voters: [SELF],
    learners: [] as string[],
    match: new Map<string, number>(),
    peers: [] as PeerSighting[],
    clock: { now: T0 },
    changes: [] as ConfChange[],
    reached: [] as string[],
    unreachable: new Set<string>(),
    failNextChanges: [] as Error[],
    warnings: [] as Array<{ obj: object, msg?: string }>
  }
  const status = (): RaftStatus => {
    const progress: Record<string, { match: number, next: number, state: 'replicate' }> = {}
    for (const id of [...h.voters, ...h.learners]) {
      const match = h.match.get(id) ?? LAST_INDEX
      progress[id] = { match, next: match + 1, state: 'replicate' }
    }
    return {
      id: SELF,
      term: 2,
      vote: SELF,
      commit: LAST_INDEX,
      applied: LAST_INDEX,
      lastIndex: LAST_INDEX,
      role: h.role,
      leader: h.role === 'leader' ? SELF : 'other',
      confState: { voters: [...h.voters], learners: [...h.learners] },
      progress
    }
  }
  const components: MembershipManagerComponents = {
    selfId: SELF,
    targetVoters,
    replaceAfterMs: REPLACE_AFTER_MS,
    status,
    peers: () => h.peers,
    reach: async (peerId) => {
      h.reached.push(peerId)
      if (h.unreachable.has(peerId)) throw new Error('dial refused')
      return [`/ip4/10.0.0.1/tcp/5081/p2p/${peerId}`, '/ip4/192.168.1.2/tcp/5081']
    },
    change: async (change): Promise<ConfState> => {
      const failure = h.failNextChanges.shift()
      if (failure !== undefined) throw failure
      h.changes.push(change)
      const without = (list: string[]): string[] => list.filter((id) => id !== change.nodeId)
      if (change.type === 'addLearner') h.learners = [...without(h.learners), change.nodeId]
      if (change.type === 'addVoter') {
        h.learners = without(h.learners)
        h.voters = [...without(h.voters), change.nodeId]
      }
      if (change.type === 'removeNode') {
        h.learners = without(h.learners)
        h.voters = without(h.voters)
      }
      return { voters: [...h.voters], learners: [...h.learners] }
    },
    nowMs: () => h.clock.now,
    logger: { info: () => {}, warn: (obj, msg) => { h.warnings.push({ obj, msg }) } }
  }
  return Object.assign(h, { manager: new MembershipManager(components) })
}

const alive = (peerId: string, lastSeenMs = T0): PeerSighting => ({ peerId, state: 'alive', lastSeenMs })
const dead = (peerId: string, lastSeenMs: number): PeerSighting => ({ peerId, state: 'dead', lastSeenMs })
const summary = (c: ConfChange): string => `${c.type} ${c.nodeId}`

describe('cluster: membership manager', () => {
  it('does nothing on a non-leader, and the same setup on the leader does act', async () => {
    for (const role of ['follower', 'candidate', 'preCandidate'] as RaftRole[]) {
      const h = harness()
      h.role = role
      h.learners = ['l1']
      h.peers = [alive('newcomer'), alive('l1')]
      assert.equal(await h.manager.runOnce(), null, role)
      assert.deepEqual(h.changes, [], role)
      assert.deepEqual(h.reached, [], role)
      // the control: had the role check been missing, this is what would have happened
      h.role = 'leader'
      assert.equal(await h.manager.runOnce(), 'addLearner newcomer', role)
    }
  })

  it('adds an alive non-member it can reach as a learner, with its addresses as JSON context', async () => {
    const h = harness()
    h.peers = [alive('p1')]
    assert.equal(await h.manager.runOnce(), 'addLearner p1')
    assert.deepEqual(h.reached, ['p1'])
    assert.equal(h.changes.length, 1)
    const change = h.changes[0] as ConfChange
    assert.equal(change.type, 'addLearner')
    assert.equal(change.nodeId, 'p1')
    assert.ok(change.context !== undefined)
    assert.deepEqual(JSON.parse(new TextDecoder().decode(change.context)), { addrs: ['/ip4/10.0.0.1/tcp/5081/p2p/p1', '/ip4/192.168.1.2/tcp/5081'] })
    // a member now: not added again
    assert.equal(await h.manager.runOnce(), 'addVoter p1')
    assert.equal(h.changes.filter((c) => c.type === 'addLearner').length, 1)
  })

  it('does not add a peer it cannot reach, nor suspect, dead or self sightings', async () => {
    const h = harness(1)
    h.unreachable.add('p1')
    h.peers = [alive('p1'), { peerId: 'p2', state: 'suspect', lastSeenMs: T0 }, dead('p3', T0), alive(SELF)]
    assert.equal(await h.manager.runOnce(), null)
    assert.deepEqual(h.reached, ['p1'])
    assert.deepEqual(h.changes, [])
    assert.ok(h.warnings.some((w) => /could not be dialled/.test(w.msg ?? '')))
    // reachable again: added on the next round
    h.unreachable.delete('p1')
    assert.equal(await h.manager.runOnce(), 'addLearner p1')
  })

  it('promotes caught-up alive learners one per round until the voters reach the target', async () => {
    const h = harness(3)
    h.learners = ['l1', 'l2', 'l3']
    h.peers = [alive('l1'), alive('l2'), alive('l3')]
    assert.equal(await h.manager.runOnce(), 'addVoter l1')
    assert.equal(await h.manager.runOnce(), 'addVoter l2')
    assert.equal(await h.manager.runOnce(), null)
    assert.deepEqual(h.changes.map(summary), ['addVoter l1', 'addVoter l2'])
    assert.deepEqual(h.voters, [SELF, 'l1', 'l2'])
    assert.deepEqual(h.learners, ['l3'])
  })

  it('promotes a learner exactly 64 entries behind, not one 65 behind, nor one that is not alive', async () => {
    const h = harness(3)
    h.learners = ['far', 'gone']
    h.match.set('far', LAST_INDEX - CAUGHT_UP_ENTRIES - 1)
    h.peers = [alive('far'), { peerId: 'gone', state: 'suspect', lastSeenMs: T0 }]
    assert.equal(await h.manager.runOnce(), null)
    assert.deepEqual(h.changes, [])

    h.match.set('far', LAST_INDEX - CAUGHT_UP_ENTRIES)
    assert.equal(await h.manager.runOnce(), 'addVoter far')
  })

  it('replaces a voter dead for longer than replaceAfterMs: promotes first, then removes it', async () => {
    const h = harness(3)
    h.voters = [SELF, 'v1', 'v2']
    h.learners = ['l1']
    h.peers = [alive('v1'), dead('v2', T0), alive('l1')]

    h.clock.now = T0 + REPLACE_AFTER_MS // dead exactly replaceAfterMs: not yet
    assert.equal(await h.manager.runOnce(), null)
    h.clock.now = T0 + REPLACE_AFTER_MS + 1
    assert.equal(await h.manager.runOnce(), 'addVoter l1')
    assert.deepEqual(h.voters, [SELF, 'v1', 'v2', 'l1'])
    assert.equal(await h.manager.runOnce(), 'removeNode v2')
    assert.deepEqual(h.voters, [SELF, 'v1', 'l1'])
    assert.equal(await h.manager.runOnce(), null)
    assert.deepEqual(h.changes.map(summary), ['addVoter l1', 'removeNode v2'])
  })

  it('never removes a dead voter while there is no replacement', async () => {
    const h = harness(3)
    h.voters = [SELF, 'v1', 'v2']
    h.learners = ['behind']
    h.match.set('behind', 0)
    h.peers = [alive('v1'), dead('v2', T0), alive('behind')]
    for (let round = 1; round <= 5; round++) {
      h.clock.now = T0 + round * REPLACE_AFTER_MS * 10
      assert.equal(await h.manager.runOnce(), null)
    }
    assert.deepEqual(h.changes, [])
    assert.deepEqual(h.voters, [SELF, 'v1', 'v2'])
    // the control: once the learner catches up the dead voter is replaced, then removed
    h.match.delete('behind')
    assert.equal(await h.manager.runOnce(), 'addVoter behind')
    assert.equal(await h.manager.runOnce(), 'removeNode v2')
  })

  it('removes a learner dead for DEAD_LEARNER_FACTOR × replaceAfterMs, not a moment earlier, and never a live one', async () => {
    const h = harness(3)
    h.voters = [SELF, 'v1', 'v2']
    h.learners = ['gone', 'here']
    h.peers = [alive('v1'), alive('v2'), dead('gone', T0), alive('here')]
    h.clock.now = T0 + DEAD_LEARNER_FACTOR * REPLACE_AFTER_MS
    assert.equal(await h.manager.runOnce(), null)
    h.clock.now += 1
    assert.equal(await h.manager.runOnce(), 'removeNode gone')
    assert.deepEqual(h.learners, ['here'])
    h.clock.now += 100 * REPLACE_AFTER_MS
    h.peers = [alive('v1', h.clock.now), alive('v2', h.clock.now), alive('here', h.clock.now)]
    assert.equal(await h.manager.runOnce(), null)
  })

  it('counts a voter missing from the peer table as dead from when it was first noticed', async () => {
    const h = harness(3)
    h.voters = [SELF, 'v1', 'ghost']
    h.learners = ['l1']
    h.peers = [alive('v1'), alive('l1')]
    const noticedAt = T0 + 5 * REPLACE_AFTER_MS
    h.clock.now = noticedAt
    // were a missing voter dead since time 0 (or forever), this round would promote
    assert.equal(await h.manager.runOnce(), null)
    h.clock.now = noticedAt + REPLACE_AFTER_MS
    assert.equal(await h.manager.runOnce(), null)
    h.clock.now = noticedAt + REPLACE_AFTER_MS + 1
    assert.equal(await h.manager.runOnce(), 'addVoter l1')
    assert.equal(await h.manager.runOnce(), 'removeNode ghost')
  })

  it('forgets when a voter went missing once it is heard again', async () => {
    const h = harness(3)
    h.voters = [SELF, 'v1', 'flaky']
    h.learners = ['l1']
    h.peers = [alive('v1'), alive('l1')]
    assert.equal(await h.manager.runOnce(), null) // flaky noticed missing at T0
    h.clock.now = T0 + 1000
    h.peers = [alive('v1'), alive('l1'), alive('flaky', T0 + 1000)]
    assert.equal(await h.manager.runOnce(), null)
    h.peers = [alive('v1'), alive('l1')] // missing again, counted from now
    const again = T0 + REPLACE_AFTER_MS + 1
    h.clock.now = again
    // had the first absence been remembered, flaky would be dead for too long here
    assert.equal(await h.manager.runOnce(), null)
    h.clock.now = again + REPLACE_AFTER_MS + 1
    assert.equal(await h.manager.runOnce(), 'addVoter l1')
  })

  it('does not add back a peer removed by hand', async () => {
    const h = harness()
    h.peers = [alive('kicked'), alive('other')]
    h.manager.noteRemovedByHand('kicked')
    assert.equal(await h.manager.runOnce(), 'addLearner other')
    for (let round = 0; round < 3; round++) await h.manager.runOnce()
    assert.ok(!h.reached.includes('kicked'))
    assert.ok(!h.changes.some((c) => c.nodeId === 'kicked'), JSON.stringify(h.changes.map(summary)))
    // remembered for ten minutes, then treated as any newcomer
    h.clock.now = T0 + 10 * 60_000
    await h.manager.runOnce()
    assert.ok(!h.reached.includes('kicked'))
    h.clock.now = T0 + 10 * 60_000 + 1
    assert.equal(await h.manager.runOnce(), 'addLearner kicked')
  })

  it('makes one change per round however many are due', async () => {
    const h = harness(5)
    h.learners = ['l1', 'l2']
    h.peers = [alive('l1'), alive('l2'), alive('n1'), alive('n2')]
    const results: Array<string | null> = []
    for (let round = 0; round < 5; round++) {
      const before = h.changes.length
      results.push(await h.manager.runOnce())
      assert.ok(h.changes.length - before <= 1)
    }
    assert.deepEqual(results, ['addLearner n1', 'addLearner n2', 'addVoter l1', 'addVoter l2', 'addVoter n1'])
  })

  it('does not start a second round while one is running', async () => {
    const h = harness()
    h.peers = [alive('p1'), alive('p2')]
    const first = h.manager.runOnce()
    assert.equal(await h.manager.runOnce(), null)
    assert.equal(await first, 'addLearner p1')
    assert.equal(h.changes.length, 1)
  })

  it('logs a failing change and retries it on the next round', async () => {
    const h = harness(3)
    h.learners = ['l1']
    h.peers = [alive('l1')]
    h.failNextChanges.push(new Error('proposal dropped'))
    assert.equal(await h.manager.runOnce(), null)
    assert.deepEqual(h.changes, [])
    assert.ok(h.warnings.some((w) => (w.obj as { err?: string }).err === 'proposal dropped' && /retried/.test(w.msg ?? '')))
    assert.equal(await h.manager.runOnce(), 'addVoter l1')
  })
})
