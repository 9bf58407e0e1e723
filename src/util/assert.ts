// Programmer errors: a broken invariant crashes loudly with the state that broke it.
// Never catch AssertionFailure to carry on; it means the code is wrong, not the input.

export class AssertionFailure extends Error {
  constructor (message: string, readonly state?: unknown) {
    super(state === undefined ? message : `${message}\nstate: ${safeStringify(state)}`)
    this.name = 'AssertionFailure'
  }
}

export function assert (condition: unknown, message: string, state?: unknown): asserts condition {
  if (!condition) throw new AssertionFailure(message, state)
}

function safeStringify (value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : typeof v === 'bigint' ? v.toString() : v))
  } catch {
    return String(value)
  }
}
