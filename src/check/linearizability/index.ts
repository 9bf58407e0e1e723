// Linearizability checking: the generic checker and the key-value model the simulator uses.
export { checkLinearizability, DEFAULT_MAX_STEPS } from './checker.js'
export { kvModel, type KvState } from './kv-model.js'
export type { CheckOptions, CheckResult, KvInput, KvOutput, Model, Operation } from './types.js'
