// A deliberately broken Raft core for the "the simulation can fail" tests: the real core,
// wrapped so that what it hands its driver (the Ready) lies in one specific way. Loaded in
// place of src/raft/core/index.js by core-swap-hooks.ts; the mode comes from this module's URL.
//
// - figure-8: the leader announces as committed any index a majority of voters has stored,
//   whatever its term: the commit rule Raft §5.4.2 / Figure 8 forbids. Followers apply such
//   entries; a later leader may not have them.
// - double-vote: a node that already voted in a term grants its vote to another candidate
//   in that term too (§5.2's one vote per term, dropped).

import type { RaftCore, RaftCoreConfig, RaftStatus } from '../../../src/raft/api.js'
import { createRaftCore as createRealCore } from '../../../src/raft/core/index.js'
import type { Message, Ready } from '../../../src/raft/types.js'

export * from '../../../src/raft/core/index.js'

const mode = new URL(import.meta.url).searchParams.get('broken-core')

export function createRaftCore (config: RaftCoreConfig): RaftCore {
  const core = createRealCore(config)
  const originals = new WeakMap<Ready, Ready>()
  return {
    ...core,
    ready (): Ready {
      const rd = core.ready()
      const st = core.status()
      const messages = rd.messages.map(m => (mode === 'figure-8' ? replicaCountCommit(m, st) : mode === 'double-vote' ? grantAgain(m, st) : m))
      const forged = { ...rd, messages }
      originals.set(forged, rd)
      return forged
    },
    advance (rd: Ready): void {
      core.advance(originals.get(rd) ?? rd)
    }
  }
}

/** the index a majority of voters has stored, ignoring terms */
function replicatedOnMajority (st: RaftStatus): number {
  const voters = st.confState.voters
  const matches = voters.map(v => (v === st.id ? st.lastIndex : st.progress?.[v]?.match ?? 0)).sort((a, b) => b - a)
  return matches[Math.floor(voters.length / 2)] ?? 0
}

function replicaCountCommit (m: Message, st: RaftStatus): Message {
  if (st.role !== 'leader' || st.progress === undefined) return m
  const commit = replicatedOnMajority(st)
  if (commit <= m.commit) return m
  if (m.type === 'MsgApp') return { ...m, commit }
  // a heartbeat may only announce what the follower is known to have
  if (m.type === 'MsgHeartbeat') return { ...m, commit: Math.max(m.commit, Math.min(commit, st.progress[m.to]?.match ?? 0)) }
  return m
}

function grantAgain (m: Message, st: RaftStatus): Message {
  if (m.type === 'MsgVoteResp' && m.reject && m.term === st.term && st.vote !== '' && st.vote !== m.to) return { ...m, reject: false }
  return m
}
