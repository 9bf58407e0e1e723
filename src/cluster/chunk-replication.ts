// Copies of a chunk on other peers, made as a put writes it. The writing peer keeps the first
// copy (as HDFS puts the first replica on the writer); the others go to the top of the
// placement ranking among live peers. Sync mode waits for them; async mode, and a sync put
// that may accept fewer copies, record what is missing as debt for the replicator to pay.
//
// A factor the caller did not name is best effort: the put succeeds with the copies the live
// peers allow and the rest is debt (so a one-peer cluster stores files with the default
// factor). A factor the caller named, in sync mode, fails with REPLICATION_UNAVAILABLE unless
// the caller allowed fewer copies.
import { JadfsError } from '../errors.js'
import type { PutReplication } from '../files/cluster-hooks.js'
import type { StoredChunk } from '../store/chunk-store.js'

export interface PlacementCandidate {
  readonly peerId: string
  /** free bytes, from its heartbeat */
  readonly weight: number
}

export interface ChunkReplicationComponents {
  readonly selfId: string
  /** live peers other than this one */
  livePeers: () => readonly PlacementCandidate[]
  /** the placement: best `count` peers for the chunk, never those in `exclude` */
  choose: (cid: string, peers: readonly PlacementCandidate[], count: number, exclude: ReadonlySet<string>) => string[]
  push: (peerId: string, cid: string, signal: AbortSignal | undefined) => Promise<'stored' | 'already-had'>
  /** durable record of missing copies; holders includes this peer */
  recordDebt: (cid: string, sizeBytes: number, wantCopies: number, holders: readonly string[]) => void
  logger: { warn: (obj: object, msg?: string) => void }
}

/** rounds of choosing more peers after failed pushes */
const MAX_PLACEMENT_ROUNDS = 3

export class ChunkReplication {
  constructor (private readonly c: ChunkReplicationComponents) {}

  checkReplication (r: Omit<PutReplication, 'signal'>): void {
    if (!this.strict(r)) return
    const copiesPossible = this.c.livePeers().length + 1
    if (copiesPossible < r.policy.factor) {
      throw new JadfsError('REPLICATION_UNAVAILABLE',
        `replication ${r.policy.factor} (sync) needs ${r.policy.factor} live peers, ${copiesPossible} ${copiesPossible === 1 ? 'is' : 'are'} live (this one included); nothing was stored. ` +
        'Retry when peers are back, ask for fewer copies (--replication), or accept fewer now and the rest later (--allow-fewer).',
        { details: { wantCopies: r.policy.factor, livePeers: copiesPossible } })
    }
  }

  async replicateChunk (chunk: StoredChunk, r: PutReplication): Promise<void> {
    const want = r.policy.factor
    if (want <= 1) return
    if (r.policy.mode === 'async') {
      this.c.recordDebt(chunk.cid, chunk.sizeBytes, want, [this.c.selfId])
      return
    }
    const holders = new Set([this.c.selfId])
    const failed = new Set<string>()
    const errors: string[] = []
    for (let round = 0; round < MAX_PLACEMENT_ROUNDS && holders.size < want; round++) {
      const exclude = new Set([...holders, ...failed])
      const targets = this.c.choose(chunk.cid, this.c.livePeers(), want - holders.size, exclude)
      if (targets.length === 0) break
      const results = await Promise.allSettled(targets.map(async (peerId) => await this.c.push(peerId, chunk.cid, r.signal)))
      results.forEach((result, i) => {
        const peerId = targets[i] as string
        if (result.status === 'fulfilled') {
          holders.add(peerId)
        } else {
          failed.add(peerId)
          errors.push(`${peerId}: ${(result.reason as Error).message}`)
        }
      })
      r.signal?.throwIfAborted()
    }
    if (holders.size >= want) return
    if (this.strict(r)) {
      throw new JadfsError('REPLICATION_UNAVAILABLE',
        `chunk ${chunk.cid} reached ${holders.size} of ${want} copies; the file was not stored` + (errors.length > 0 ? ` (${errors.slice(0, 3).join('; ')})` : ''),
        { details: { cid: chunk.cid, copies: holders.size, wantCopies: want } })
    }
    this.c.logger.warn({ cid: chunk.cid, copies: holders.size, wantCopies: want, errors: errors.slice(0, 3) }, 'stored fewer copies than asked; the rest is recorded as debt')
    if (r.explicitFactor) {
      this.c.recordDebt(chunk.cid, chunk.sizeBytes, want, [...holders])
      return
    }
    // the default factor is best effort: a debt queue that cannot take more (full, or its
    // disk full) must not fail puts that never asked for copies
    try {
      this.c.recordDebt(chunk.cid, chunk.sizeBytes, want, [...holders])
    } catch (err) {
      this.c.logger.warn({ cid: chunk.cid, err: (err as Error).message }, 'could not record replication debt; the missing copies are not tracked')
    }
  }

  private strict (r: Omit<PutReplication, 'signal'>): boolean {
    return r.policy.mode === 'sync' && r.explicitFactor && !r.allowFewer
  }
}
