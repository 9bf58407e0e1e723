// The safety invariants the simulation checks after every event. Each checker is fed
// observations (a leader, a durable log range, a hard state, an ack) and throws an
// InvariantViolation naming the rule it saw broken; they know nothing of the simulator, so the
// tests can plant violations on hand-built states.

export { AcknowledgedWriteChecker, type Ack, type AppliedView } from './acknowledged-writes.js'
export { CommittedLogChecker, type LogView } from './committed-log.js'
export { ElectionSafetyChecker } from './election-safety.js'
export { entryKey } from './entry-key.js'
export { HardStateChecker } from './hard-state.js'
export { LogMatchingChecker } from './log-matching.js'
export { checkPersistedBeforeSend, type DurableView } from './persist-before-send.js'
export { InvariantViolation, violation, type InvariantName } from './violation.js'
