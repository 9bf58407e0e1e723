// Checks the one-line message format of simulation traces (`n1->n2 MsgApp t3 lt2 i5 c4 e[6..7@3]`):
// the fields each message type uses appear, and nothing else, so traces stay short and diffable.
import { strict as assert } from 'node:assert'
import { formatMessage } from '../../../src/raft/sim/format.js'
import type { Message } from '../../../src/raft/types.js'

const base = { logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 }
const e = (index: number, term: number): Message['entries'][number] => ({ index, term, type: 'normal', data: new Uint8Array(1) })

describe('raft sim trace format', () => {
  it('prints one short line per message', () => {
    assert.equal(formatMessage({ ...base, type: 'MsgApp', from: 'n1', to: 'n2', term: 3, logTerm: 2, index: 5, commit: 4, entries: [e(6, 3), e(7, 3)] }),
      'n1->n2 MsgApp t3 lt2 i5 c4 e[6..7@3]')
    assert.equal(formatMessage({ ...base, type: 'MsgAppResp', from: 'n2', to: 'n1', term: 3, index: 4, reject: true, rejectHint: 2 }),
      'n2->n1 MsgAppResp t3 i4 rej(hint 2)')
    assert.equal(formatMessage({ ...base, type: 'MsgHeartbeat', from: 'n1', to: 'n3', term: 3, commit: 7 }), 'n1->n3 MsgHeartbeat t3 c7')
    assert.equal(formatMessage({ ...base, type: 'MsgVote', from: 'n4', to: 'n1', term: 9, logTerm: 3, index: 12 }), 'n4->n1 MsgVote t9 lt3 i12')
  })
})
