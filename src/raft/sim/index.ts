// The deterministic Raft simulation: one seed drives a cluster of drivers over in-memory
// storage through faults, client load and membership changes, checking safety after every
// event and liveness and linearizability at the end. See simulation.ts for the event loop.

export { chooseConfig, type SimConfig } from './config.js'
export { formatMessage } from './format.js'
export { InvariantViolation, type InvariantName } from './invariants/index.js'
export { KvStateMachine, type KvApplyResult, type KvCommand } from './kv-state-machine.js'
export { runSeeds, type RunSeedsOptions, type RunSeedsResult, type SeedTotals } from './run-seeds.js'
export type { DriverFactory, StorageWrapper } from './sim-node.js'
export { livenessBoundTicks, runSimulation, type SimOptions, type SimResult, type SimStats } from './simulation.js'
