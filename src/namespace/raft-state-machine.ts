// The namespace seen as the Raft driver's StateMachine: committed entry payloads are encoded
// namespace commands, applied at their log index. Results (applied or rejected) go back to
// the proposer as ApplyResult values (or SkippedProposal for a copy not applied); only broken
// invariants throw.
import type { StateMachine } from '../raft/api.js'
import type { NamespaceStateMachine } from './state-machine.js'

export function namespaceRaftStateMachine (namespace: NamespaceStateMachine): StateMachine {
  return {
    apply: (entry, payload, proposal) => namespace.applyEncoded(entry.index, payload, proposal),
    snapshot: () => namespace.snapshot(),
    restore: (data, index) => { namespace.restore(data, index) },
    appliedIndex: () => namespace.appliedIndex,
    proposalVerdict: (tag, index) => namespace.proposalVerdict(tag, index)
  }
}
