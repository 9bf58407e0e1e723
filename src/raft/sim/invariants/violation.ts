// The one error a simulation run ends with when Raft broke a promise. It carries the name of
// the invariant so the CLI, the tests and the regression list can match on it without parsing.

export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'monotonic-term'
  | 'monotonic-commit'
  | 'one-vote-per-term'
  | 'persist-before-send'
  | 'acknowledged-write-lost'
  | 'liveness'
  | 'linearizability'
  /** the core or driver crashed (an assertion inside it, or an unexpected exception) */
  | 'crash'

export class InvariantViolation extends Error {
  constructor (readonly invariant: InvariantName, message: string, readonly details?: Record<string, unknown>) {
    super(`${invariant}: ${message}`)
    this.name = 'InvariantViolation'
  }
}

export function violation (invariant: InvariantName, message: string, details?: Record<string, unknown>): never {
  throw new InvariantViolation(invariant, message, details)
}
