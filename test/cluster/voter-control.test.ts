// Checks hand-made voter changes against a fake Raft status whose configuration the fake
// changeMembership applies: a follower refuses with NOT_LEADER naming the leader and its API
// address (or saying no leader is known); a malformed peer id, adding a non-member, removing a
// non-member and the leader removing itself are INVALID_ARGUMENT with no change proposed;
// adding a learner promotes it, adding a voter again changes nothing, removing a learner or a
// follower voter proposes removeNode and tells the membership manager not to add it back.
import { strict as assert } from 'node:assert'
import { createVoterControl, type VoterControl } from '../../src/cluster/voter-control.js'
import { JadfsError } from '../../src/errors.js'
import type { ConfChange, ConfState } from '../../src/raft/types.js'
import { newPeerIds } from '../helpers/cluster-views.js'

interface Fake {
  role: string
  leader: string
  conf: ConfState
  readonly changes: ConfChange[]
  readonly removedByHand: string[]
  readonly apiUrls: Map<string, string>
  readonly control: VoterControl
}

function fake (selfId: string, voters: string[], learners: string[]): Fake {
  const f: Omit<Fake, 'control'> = { role: 'leader', leader: selfId, conf: { voters, learners }, changes: [], removedByHand: [], apiUrls: new Map() }
  const control = createVoterControl({
    selfId,
    status: () => ({ role: f.role, leader: f.leader, confState: f.conf }),
    changeMembership: async (change) => {
      f.changes.push(change)
      const voters = f.conf.voters.filter((v) => v !== change.nodeId)
      const learners = f.conf.learners.filter((l) => l !== change.nodeId)
      f.conf = change.type === 'addVoter' ? { voters: [...voters, change.nodeId], learners } : change.type === 'removeNode' ? { voters, learners } : f.conf
      return f.conf
    },
    apiUrlOf: (peerId) => f.apiUrls.get(peerId) ?? null,
    noteRemovedByHand: (peerId) => { f.removedByHand.push(peerId) }
  })
  return Object.assign(f, { control })
}

async function rejects (work: Promise<unknown>, code: string, message?: RegExp): Promise<JadfsError> {
  let caught: unknown
  await work.catch((err: unknown) => { caught = err })
  assert.ok(caught instanceof JadfsError, `expected ${code}, got ${String(caught)}`)
  assert.equal(caught.code, code)
  if (message !== undefined) assert.match(caught.message, message)
  return caught
}

describe('voter control (hand-made voter changes)', () => {
  let self: string, a: string, b: string, learner: string, stranger: string
  before(async () => { [self, a, b, learner, stranger] = await newPeerIds(5) as [string, string, string, string, string] })

  it('refuses on a follower with NOT_LEADER naming the leader and its API address', async () => {
    const f = fake(self, [self, a, b], [learner])
    f.role = 'follower'
    f.leader = a
    f.apiUrls.set(a, 'http://127.0.0.1:5999')
    const err = await rejects(f.control.addVoter(learner), 'NOT_LEADER', /ask the leader .* at http:\/\/127\.0\.0\.1:5999/)
    assert.deepEqual(err.details, { leaderPeerId: a, leaderApiUrl: 'http://127.0.0.1:5999' })
    f.leader = ''
    const none = await rejects(f.control.removeVoter(b), 'NOT_LEADER', /no leader is known/)
    assert.deepEqual(none.details, { leaderPeerId: null, leaderApiUrl: null })
    assert.deepEqual(f.changes, [])
  })

  it('refuses malformed ids, non-members and the leader itself, proposing nothing', async () => {
    const f = fake(self, [self, a, b], [learner])
    await rejects(f.control.addVoter('not-a-peer'), 'INVALID_ARGUMENT', /is not a peer id/)
    await rejects(f.control.removeVoter('12D3KooWnope'), 'INVALID_ARGUMENT', /is not a peer id/)
    await rejects(f.control.addVoter(stranger), 'INVALID_ARGUMENT', /start it with --join/)
    await rejects(f.control.removeVoter(stranger), 'INVALID_ARGUMENT', /is not a member/)
    await rejects(f.control.removeVoter(self), 'INVALID_ARGUMENT', /the leader itself/)
    // a lone voter is the leader: the same refusal keeps the last voter
    await rejects(fake(self, [self], []).control.removeVoter(self), 'INVALID_ARGUMENT', /the leader itself/)
    assert.deepEqual(f.changes, [])
    assert.deepEqual(f.removedByHand, [])
  })

  it('promotes a learner, and adding a voter again changes nothing', async () => {
    const f = fake(self, [self, a], [learner])
    assert.deepEqual(await f.control.addVoter(learner), { voters: [self, a, learner], learners: [] })
    assert.deepEqual(await f.control.addVoter(a), { voters: [self, a, learner], learners: [] })
    assert.deepEqual(f.changes, [{ type: 'addVoter', nodeId: learner }])
  })

  it('removes a follower voter or a learner and remembers it was removed by hand', async () => {
    const f = fake(self, [self, a, b], [learner])
    assert.deepEqual(await f.control.removeVoter(b), { voters: [self, a], learners: [learner] })
    assert.deepEqual(await f.control.removeVoter(learner), { voters: [self, a], learners: [] })
    assert.deepEqual(f.changes, [{ type: 'removeNode', nodeId: b }, { type: 'removeNode', nodeId: learner }])
    assert.deepEqual(f.removedByHand, [b, learner])
  })
})
