// The pure Raft core (model: etcd-io/raft's RawNode): ticks and messages in, a Ready out.
// No I/O, timers, clock or Math.random: the only inputs are these calls, config.storage (read
// only) and config.rng. Read the files in this order:
//
//   raft-log.ts, unstable.ts      the log: storage + not-yet-persisted entries, commit/applied
//   quorum.ts                     majority arithmetic
//   progress.ts, inflights.ts     per-follower replication state and flow control
//   progress-tracker.ts           configuration + progress + votes
//   raft.ts                       roles, terms, ticks, the term rules of every message
//   election.ts                   campaigns, pre-vote, voting
//   bootstrap.ts                  a new cluster's configuration; restart
//   step-*.ts, follower-handlers  what each role does with each message
//   replication.ts                AppendEntries / heartbeat / snapshot sending
//   read-only.ts                  ReadIndex
//   conf-change-*.ts              membership changes
//   ready.ts                      the persist → send → apply → advance hand-off

import type { RaftCore, RaftCoreConfig, RaftStatus } from '../api.js'
import { assert } from '../../util/assert.js'
import type { ConfChange, ConfState, Message, NodeId, Ready } from '../types.js'
import { applyConfChange } from './conf-change-apply.js'
import { encodeConfChange } from './conf-change-codec.js'
import { isLocalMessage, makeMessage } from './messages.js'
import { Raft } from './raft.js'
import { ReadyTracker } from './ready.js'
import { raftStatus } from './status.js'

export { encodeConfChange, decodeConfChange } from './conf-change-codec.js'
export { isLocalMessage, makeMessage } from './messages.js'
export { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_SIZE_PER_MSG_BYTES, NO_LEADER_REASON } from './constants.js'

export function createRaftCore (config: RaftCoreConfig): RaftCore {
  const durable = config.storage.initialState().hardState
  const r = new Raft(config)
  const readyTracker = new ReadyTracker(r, durable)

  return {
    tick: () => r.tick(),
    step (m: Message): void {
      // local message types never arrive from the network; a peer sending one is a bug
      assert(!isLocalMessage(m.type), 'local message type from the network', { id: r.id, type: m.type, from: m.from })
      // a forwarded proposal that is dropped here is dropped silently: its proposer times out (etcd)
      if (m.type === 'MsgProp') r.propose(m, false)
      else r.step(m)
    },
    propose (data: Uint8Array): void {
      r.propose(makeMessage({ type: 'MsgProp', from: r.id, entries: [{ term: 0, index: 0, type: 'normal', data }] }), true)
    },
    proposeConfChange (change: ConfChange): void {
      r.propose(makeMessage({ type: 'MsgProp', from: r.id, entries: [{ term: 0, index: 0, type: 'confChange', data: encodeConfChange(change) }] }), true)
    },
    applyConfChange: (change: ConfChange): ConfState => applyConfChange(r, change),
    readIndex (requestCtx: Uint8Array): void {
      assert(requestCtx.byteLength > 0, 'a read request needs a non-empty context to be matched')
      r.propose(makeMessage({ type: 'MsgReadIndex', from: r.id, context: requestCtx }), true)
    },
    transferLeadership (to: NodeId): void {
      r.propose(makeMessage({ type: 'MsgTransferLeader', from: to }), true)
    },
    campaign: () => r.step(makeMessage({ type: 'MsgHup', from: r.id })),
    hasReady: () => readyTracker.hasReady(),
    ready: (): Ready => readyTracker.ready(),
    advance: (rd: Ready) => readyTracker.advance(rd),
    reportSnapshot (to: NodeId, status: 'finish' | 'failure'): void {
      r.step(makeMessage({ type: 'MsgSnapStatus', from: to, reject: status === 'failure' }))
    },
    reportUnreachable (to: NodeId): void {
      r.step(makeMessage({ type: 'MsgUnreachable', from: to }))
    },
    status: (): RaftStatus => raftStatus(r)
  }
}
