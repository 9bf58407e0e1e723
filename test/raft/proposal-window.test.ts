// Checks the rule that lets a re-sent proposal take effect at most once (proposal-window.ts) at
// its edges: a copy exactly WINDOW entries after its proposedAt is still judged (applied or
// skipped as a duplicate) and one entry later is expired; a tag at or after its own index is
// refused; the in-memory table never holds more than WINDOW live ids and forgets nothing a later
// copy could match (property, against a table that never forgets); proposal ids carry their
// tag, and ids a snapshot could not carry compactly are not tags.
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { proposalId, proposalTag } from '../../src/raft/driver/envelope.js'
import { MAX_TAG_ID_BYTES, ProposalWindow, judgeProposal, type ProposalVerdict } from '../../src/raft/proposal-window.js'

const never = (): boolean => false
const always = (): boolean => true

describe('proposal window', () => {
  it('judges a copy up to exactly WINDOW entries after its proposedAt, and expires it one later', () => {
    assert.equal(judgeProposal(110, { id: 'a', proposedAt: 10 }, never, 100), 'apply')
    assert.equal(judgeProposal(110, { id: 'a', proposedAt: 10 }, always, 100), 'duplicate')
    assert.equal(judgeProposal(111, { id: 'a', proposedAt: 10 }, never, 100), 'expired')
    assert.equal(judgeProposal(111, { id: 'a', proposedAt: 10 }, always, 100), 'expired')
  })

  it('refuses a tag proposed at or after its own index (no driver makes one; it would never be forgotten)', () => {
    assert.equal(judgeProposal(10, { id: 'a', proposedAt: 9 }, never, 100), 'apply')
    assert.equal(judgeProposal(10, { id: 'a', proposedAt: 10 }, never, 100), 'expired')
    assert.equal(judgeProposal(10, { id: 'a', proposedAt: 2 ** 50 }, never, 100), 'expired')
  })

  it('gives the same verdicts as a table that never forgets, and holds at most WINDOW live ids (property)', () => {
    const window = 8
    // copies land at increasing indexes; each names one of a few ids, proposed a little before
    const copy = fc.record({ id: fc.integer({ min: 0, max: 12 }), gap: fc.integer({ min: 1, max: 12 }) })
    fc.assert(fc.property(fc.array(copy, { minLength: 1, maxLength: 200 }), (copies) => {
      const table = new ProposalWindow(window)
      const proposedAt = new Map<number, number>()
      const forever = new Set<string>()
      let index = 0
      for (const c of copies) {
        index++
        // one proposedAt per id, fixed the first time it is proposed, as a driver's tag is
        const at = proposedAt.get(c.id) ?? Math.max(0, index - c.gap)
        proposedAt.set(c.id, at)
        const tag = { id: `p${c.id}`, proposedAt: at }
        const expected: ProposalVerdict = judgeProposal(index, tag, (id) => forever.has(id), window)
        assert.equal(table.judge(index, tag), expected, `copy of ${tag.id} at ${index}`)
        if (expected === 'apply') forever.add(tag.id)
        assert.ok(table.entries(index).length <= window)
      }
    }))
  })

  it('snapshots only the ids a later copy could match, sorted, and restores them', () => {
    const a = new ProposalWindow(10)
    a.judge(5, { id: 'z', proposedAt: 4 })
    a.judge(20, { id: 'y', proposedAt: 19 })
    a.judge(21, { id: 'x', proposedAt: 11 })
    // at 21, ids proposed before 11 can match nothing any more
    assert.deepEqual(a.entries(21), [['x', 11], ['y', 19]])
    const b = new ProposalWindow(10)
    b.restore(a.entries(21))
    assert.equal(b.judge(22, { id: 'y', proposedAt: 19 }), 'duplicate')
    assert.equal(b.judge(22 + 1, { id: 'w', proposedAt: 19 }), 'apply')
  })

  it('a proposal id carries its tag; ids without one, or not printable and short, are not tags', () => {
    const id = proposalId('peer.3-7-abc.12', 41)
    assert.deepEqual(proposalTag(id), { id, proposedAt: 41 })
    assert.equal(proposalTag('peer.3-7-abc.12'), undefined, 'a conf change or an older build\'s id')
    assert.equal(proposalTag('peer@x'), undefined)
    assert.equal(proposalTag('peer@01'), undefined)
    assert.equal(proposalTag('"peer@1'), undefined, 'a quote would be escaped in a snapshot')
    assert.equal(proposalTag('pe\\er@1'), undefined)
    assert.equal(proposalTag('pe er@1'), undefined)
    const longest = `${'p'.repeat(MAX_TAG_ID_BYTES - 2)}@1`
    assert.deepEqual(proposalTag(longest), { id: longest, proposedAt: 1 })
    assert.equal(proposalTag(`p${longest}`), undefined)
    assert.throws(() => proposalId('a@b', 1), /short printable request id/)
    assert.throws(() => proposalId('p'.repeat(MAX_TAG_ID_BYTES), 1), /short printable request id/)
  })
})
