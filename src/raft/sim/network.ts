// The simulated network between nodes. Every send decides the message's fate from the run's
// PRNG: lost, duplicated, delayed by some ticks. Delivery picks among the messages that are due
// at random, so reordering is the normal case. Partitions are sets of blocked directed links
// (a symmetric partition blocks both directions, a one-way partition one); a message on a
// blocked link is dropped when it would be delivered, as a real network loses what is in flight.

import type { SeededPrng } from '../../util/prng.js'
import type { Message, NodeId } from '../types.js'

export interface NetworkFaults {
  /** probability each message is lost */
  lossRate: number
  /** probability each message is delivered twice */
  duplicateRate: number
  /** each copy is delayed by [0, maxDelayTicks] ticks */
  maxDelayTicks: number
}

export interface InFlight {
  readonly seq: number
  readonly deliverAtTick: number
  readonly message: Message
}

export const CALM: NetworkFaults = { lossRate: 0, duplicateRate: 0, maxDelayTicks: 1 }

/** caps in-flight messages so a run's memory is bounded; overflow counts as loss */
const MAX_IN_FLIGHT = 20_000

export class SimNetwork {
  faults: NetworkFaults = { ...CALM }
  private readonly blocked = new Set<string>()
  private inFlight: InFlight[] = []
  private seq = 0
  stats = { sent: 0, lost: 0, duplicated: 0, delivered: 0, blockedDrops: 0 }

  constructor (private readonly rng: SeededPrng) {}

  /** returns how many copies were queued (0 when lost), for the trace */
  send (m: Message, nowTick: number): number {
    this.stats.sent++
    if (this.rng.chance(this.faults.lossRate) || this.inFlight.length >= MAX_IN_FLIGHT) {
      this.stats.lost++
      return 0
    }
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let i = 0; i < copies; i++) {
      const delay = this.faults.maxDelayTicks > 0 ? this.rng.nextInt(this.faults.maxDelayTicks + 1) : 0
      this.inFlight.push({ seq: this.seq++, deliverAtTick: nowTick + delay, message: m })
    }
    return copies
  }

  hasDue (nowTick: number): boolean {
    return this.inFlight.some(f => f.deliverAtTick <= nowTick)
  }

  /** removes and returns a random due message, or undefined; blocked ones come back flagged */
  takeDue (nowTick: number): { flight: InFlight, blocked: boolean } | undefined {
    const due: number[] = []
    for (let i = 0; i < this.inFlight.length; i++) if (this.inFlight[i]!.deliverAtTick <= nowTick) due.push(i)
    if (due.length === 0) return undefined
    const at = due[this.rng.nextInt(due.length)]!
    const flight = this.inFlight[at]!
    this.inFlight.splice(at, 1)
    const blocked = this.blocked.has(link(flight.message.from, flight.message.to))
    if (blocked) this.stats.blockedDrops++
    else this.stats.delivered++
    return { flight, blocked }
  }

  /** drop everything addressed to a node (it crashed or left) */
  dropTo (node: NodeId): number {
    const before = this.inFlight.length
    this.inFlight = this.inFlight.filter(f => f.message.to !== node)
    return before - this.inFlight.length
  }

  block (from: NodeId, to: NodeId): void {
    this.blocked.add(link(from, to))
  }

  isBlocked (from: NodeId, to: NodeId): boolean {
    return this.blocked.has(link(from, to))
  }

  healLinks (): void {
    this.blocked.clear()
  }

  get blockedLinks (): number {
    return this.blocked.size
  }

  get size (): number {
    return this.inFlight.length
  }
}

function link (from: NodeId, to: NodeId): string {
  return `${from}>${to}`
}
