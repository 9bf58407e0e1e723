// Who should hold a chunk: weighted rendezvous (highest random weight) hashing of the chunk id
// over the live peers, weighted by their free space. Every peer computes the same ranking from
// the same heartbeat view without talking to anyone, a peer with twice the free space gets about
// twice the chunks, and a peer joining or leaving moves only the chunks it ranks first — the
// others keep their placement, so churn does not trigger a cluster-wide reshuffle.
//
// Score (Schindelhauer & Schomaker, "Weighted distributed hash tables", 2005; the form used by
// Ceph's straw2): score = -weight / ln(u), u uniform in (0, 1) from SHA-256(chunkId \0 peerId).
// The first choice is peer i with probability weight_i / Σ weight. Scores are compared as
// logarithms, which keeps the order and cannot overflow for a huge weight.
import { createHash } from 'node:crypto'
import { assert } from '../../util/assert.js'

export interface PlacementPeer {
  readonly peerId: string
  /** free bytes; a peer with weight <= 0 or a non-finite weight is never chosen */
  readonly weight: number
}

// u = (bits + 1) / (2^53 + 2) for 53 hash bits: 2^53 + 1 is not a double (it rounds to 2^53,
// which would make u = 1 for the top value), 2^53 + 2 is, and the largest u is 1 - 2^-52 < 1.
const U_DENOMINATOR = 2 ** 53 + 2

export interface ScoredPeer {
  readonly peerId: string
  /** ln(score) = ln(weight) - ln(-ln u): the same order as the score, without overflow for any finite weight */
  readonly logScore: number
}

/** Peers eligible for the chunk, best first. Deterministic; equal scores are ordered by peer id. */
export function rankPeers (chunkId: string, peers: readonly PlacementPeer[]): string[] {
  const scored: ScoredPeer[] = []
  const seen = new Set<string>()
  for (const { peerId, weight } of peers) {
    assert(!seen.has(peerId), 'rankPeers: a peer is listed twice', { chunkId, peerId })
    seen.add(peerId)
    if (!Number.isFinite(weight) || weight <= 0) continue
    scored.push({ peerId, logScore: Math.log(weight) - Math.log(-Math.log(uniform(chunkId, peerId))) })
  }
  return scored.sort(compareScored).map((s) => s.peerId)
}

/**
 * Where to look for a chunk: the placement ranking first (where it most likely went), then
 * every peer the ranking leaves out for having no room now, since a peer that filled up
 * after storing a chunk still holds it.
 */
export function rankForReading (chunkId: string, peers: readonly PlacementPeer[]): string[] {
  const full = peers.filter((p) => !(Number.isFinite(p.weight) && p.weight > 0)).map((p) => ({ peerId: p.peerId, weight: 1 }))
  return [...rankPeers(chunkId, peers), ...rankPeers(chunkId, full)]
}

/** Best first: higher score, then the smaller peer id. Exported for its test (ties need equal hashes). */
export function compareScored (a: ScoredPeer, b: ScoredPeer): number {
  if (a.logScore !== b.logScore) return b.logScore - a.logScore
  return a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0
}

/**
 * The best `count` eligible peers for the chunk that are not in `exclude` (typically the peers
 * already holding it). Fewer when fewer are eligible.
 */
export function choosePeers (chunkId: string, peers: readonly PlacementPeer[], count: number, exclude?: ReadonlySet<string>): string[] {
  assert(Number.isSafeInteger(count) && count >= 0, 'choosePeers: count must be a non-negative integer', { count })
  if (count === 0) return []
  const candidates = exclude === undefined || exclude.size === 0 ? peers : peers.filter((p) => !exclude.has(p.peerId))
  return rankPeers(chunkId, candidates).slice(0, count)
}

function uniform (chunkId: string, peerId: string): number {
  const digest = createHash('sha256').update(chunkId).update('\0').update(peerId).digest()
  // top 53 bits: 21 from the first word, 32 from the second
  return unitFromBits((digest.readUInt32BE(0) >>> 11) * 2 ** 32 + digest.readUInt32BE(4))
}

/** Maps a 53-bit integer to u in (0, 1): never 0 (ln would be -∞) nor 1 (ln would be 0). Exported for its test. */
export function unitFromBits (bits: number): number {
  assert(Number.isSafeInteger(bits) && bits >= 0 && bits < 2 ** 53, 'unitFromBits: not a 53-bit integer', { bits })
  return (bits + 1) / U_DENOMINATOR
}
