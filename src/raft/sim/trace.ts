// The record of a run: a ring of the last lines for failure reports, an optional sink that
// sees every line (--verbose), and a running hash of all lines, which is how the determinism
// test compares two runs of one seed without keeping whole traces.

import { createHash, type Hash } from 'node:crypto'

export interface TraceInit {
  /** lines kept for the failure report; @default 40 */
  readonly keepLines?: number
  /** receives every line as it is written */
  readonly sink?: (line: string) => void
}

export class Trace {
  private readonly ring: string[] = []
  private readonly keepLines: number
  private readonly hash: Hash = createHash('sha256')
  private count = 0

  constructor (private readonly init: TraceInit = {}) {
    this.keepLines = init.keepLines ?? 40
  }

  line (step: number, tick: number, text: string): void {
    const line = `#${step} t${tick} ${text}`
    this.hash.update(line).update('\n')
    this.count++
    this.ring.push(line)
    if (this.ring.length > this.keepLines) this.ring.shift()
    this.init.sink?.(line)
  }

  tail (): readonly string[] {
    return [...this.ring]
  }

  get lines (): number {
    return this.count
  }

  /** sha-256 of every line so far; call once, at the end */
  digest (): string {
    return this.hash.digest('hex')
  }
}
