// Contract of the linearizability checker (Wing & Gong search with Lowe's memoisation, as in
// Porcupine), shared by the checker, its models and the Raft simulator that records histories.

export interface Operation<I, O> {
  readonly clientId: number
  readonly input: I
  /** logical time the call was made */
  readonly call: number
  /** logical time the response arrived; null when the outcome is unknown (timeout, crash):
   * the operation may or may not have taken effect, at any point after `call` */
  readonly return: number | null
  /** meaningful only when return !== null */
  readonly output?: O
}

export interface Model<S, I, O> {
  init (): S
  /** applies input to state; `output` is undefined for unknown outcomes (then ok must be true
   * if the operation could have taken effect) */
  step (state: S, input: I, output: O | undefined): { ok: boolean, next: S }
  /** split a history into independent parts checked separately (e.g. per key) */
  partition? (history: ReadonlyArray<Operation<I, O>>): Array<Array<Operation<I, O>>>
  /** state equality for memoisation; default: JSON equality */
  equal? (a: S, b: S): boolean
  /** a key identifying state for memoisation; default: JSON.stringify */
  hash? (state: S): string
  describeOperation? (input: I, output: O | undefined): string
}

export type CheckResult =
  | { readonly result: 'ok' }
  | { readonly result: 'illegal', readonly partition: number, readonly explanation: string }
  /** the search hit its budget (steps or time) before deciding */
  | { readonly result: 'unknown', readonly partition: number }

export interface CheckOptions {
  readonly maxSteps?: number
}

/** A small key-value store: the model the simulator's clients run against Raft. */
export type KvInput =
  | { readonly op: 'get', readonly key: string }
  | { readonly op: 'put', readonly key: string, readonly value: string }
  /** append value to the key's current string (makes ordering visible in reads) */
  | { readonly op: 'append', readonly key: string, readonly value: string }

export type KvOutput =
  | { readonly op: 'get', readonly value: string | null }
  | { readonly op: 'put' }
  | { readonly op: 'append' }
