// Finds chunks that lost copies (a peer died with them) and records the missing copies as
// replication debt, which the replicator then pays. Every peer scans only the chunks it holds:
// it walks the namespace (which every peer has) page by page, collects its local chunks with
// the copies their files ask for, and asks each live peer once per batch, with the batched
// have protocol, which of them it holds. A chunk short of copies is recorded by exactly one
// of its live holders — the first of them in the chunk's placement ranking — so the peers do
// not all copy the same chunk. A peer with only a cached copy (fetched for a read) is not one
// of the copies, but it is the last resort: when no live peer holds a copy, it keeps its
// cached one as a copy and records the rest as debt. Chunks no live peer has in any form
// cannot be repaired here.
import type { FileRecord } from '../../files/file-service.js'
import type { PlacementPeer } from '../placement/rendezvous.js'

export interface RepairScannerComponents {
  readonly selfId: string
  /** a page of the namespace after `afterPath` (undefined: from the start) */
  listFiles: (afterPath: string | undefined, limit: number) => readonly FileRecord[]
  /** what this peer holds of the chunk: a copy, a cached copy fetched for a read, or nothing */
  localCopy: (cid: string) => 'copy' | 'cached' | 'none'
  /** makes this peer's cached copy one of the chunk's copies (it will not be evicted); false if it is gone */
  keepAsCopy: (cid: string) => boolean
  /** live peers other than this one, weighted as for placement */
  livePeers: () => readonly PlacementPeer[]
  /** for each cid, whether the peer holds it (the have protocol); rejects if the peer cannot answer */
  askHave: (peerId: string, cids: readonly string[], signal: AbortSignal) => Promise<boolean[]>
  rank: (cid: string, peers: readonly PlacementPeer[]) => string[]
  recordDebt: (cid: string, sizeBytes: number, wantCopies: number, holders: readonly string[]) => void
  readonly signal: AbortSignal
  logger: { info: (obj: object, msg?: string) => void, warn: (obj: object, msg?: string) => void }
}

/** files read from the namespace per page */
export const FILES_PER_PAGE = 500
/** chunks asked about in one have request (the protocol's limit is 1024) */
export const CHUNKS_PER_BATCH = 1024

export interface RepairReport {
  readonly chunksChecked: number
  readonly chunksShort: number
  /** of those, the ones this peer recorded as debt (it ranks first among their holders) */
  readonly debtsRecorded: number
  /** of those, chunks this peer held only cached, with no copy left on a live peer */
  readonly cachedKept: number
  readonly peersUnanswered: number
}

interface LocalChunk { readonly cid: string, readonly sizeBytes: number, wantCopies: number, readonly cachedOnly: boolean }

export class RepairScanner {
  private running: Promise<RepairReport> | undefined

  constructor (private readonly c: RepairScannerComponents) {}

  /** one scan at a time: a call during a scan waits for it and returns its report */
  async scan (): Promise<RepairReport> {
    this.running ??= this.scanOnce().finally(() => { this.running = undefined })
    return await this.running
  }

  private async scanOnce (): Promise<RepairReport> {
    const totals = { chunksChecked: 0, chunksShort: 0, debtsRecorded: 0, cachedKept: 0, peersUnanswered: 0 }
    let batch = new Map<string, LocalChunk>()
    let after: string | undefined
    for (;;) {
      this.c.signal.throwIfAborted()
      const page = this.c.listFiles(after, FILES_PER_PAGE)
      for (const file of page) {
        for (const chunk of file.chunks) {
          const local = this.c.localCopy(chunk.cid)
          if (local === 'none') continue
          const known = batch.get(chunk.cid)
          if (known !== undefined) {
            known.wantCopies = Math.max(known.wantCopies, file.replication.factor)
            continue
          }
          batch.set(chunk.cid, { cid: chunk.cid, sizeBytes: chunk.sizeBytes, wantCopies: file.replication.factor, cachedOnly: local === 'cached' })
          if (batch.size >= CHUNKS_PER_BATCH) {
            add(totals, await this.checkBatch([...batch.values()]))
            batch = new Map()
          }
        }
      }
      const last = page[page.length - 1]
      if (last === undefined || page.length < FILES_PER_PAGE) break
      after = last.path
    }
    if (batch.size > 0) add(totals, await this.checkBatch([...batch.values()]))
    if (totals.chunksShort > 0 || totals.peersUnanswered > 0) this.c.logger.info(totals, 'repair scan finished')
    return totals
  }

  private async checkBatch (chunks: readonly LocalChunk[]): Promise<RepairReport> {
    const peers = this.c.livePeers()
    const cids = chunks.map((c) => c.cid)
    const holders = new Map<string, Set<string>>(chunks.map((c) => [c.cid, new Set(c.cachedOnly ? [] : [this.c.selfId])]))
    let peersUnanswered = 0
    const answers = await Promise.allSettled(peers.map(async (p) => ({ peerId: p.peerId, has: await this.c.askHave(p.peerId, cids, this.c.signal) })))
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        peersUnanswered++
        continue
      }
      answer.value.has.forEach((has, i) => { if (has) holders.get(cids[i] as string)?.add(answer.value.peerId) })
    }
    this.c.signal.throwIfAborted()
    // with a peer unanswered its copies are unknown: counting them as missing could make
    // copies that exist, so the batch waits for the next scan
    if (peersUnanswered > 0) return { chunksChecked: chunks.length, chunksShort: 0, debtsRecorded: 0, cachedKept: 0, peersUnanswered }
    // equal weights: every holder must reach the same verdict, and free space as each peer
    // sees it differs a little from peer to peer
    const everyone = [...peers.map((p) => p.peerId), this.c.selfId].map((peerId) => ({ peerId, weight: 1 }))
    let chunksShort = 0
    let debtsRecorded = 0
    let cachedKept = 0
    for (const chunk of chunks) {
      const held = holders.get(chunk.cid) as Set<string>
      if (held.size >= chunk.wantCopies) continue
      chunksShort++
      if (chunk.cachedOnly) {
        // the peers with copies repair it; only when there are none does the cache save it.
        // With no live peer at all this peer may be the one cut off: its cache stays a cache
        // (nothing evicts it while no peer confirms a copy) until a scan hears from peers.
        if (held.size > 0 || peers.length === 0) continue
        if (!this.c.keepAsCopy(chunk.cid)) continue
        cachedKept++
        held.add(this.c.selfId)
      }
      const firstHolder = this.c.rank(chunk.cid, everyone).find((peerId) => held.has(peerId))
      if (firstHolder !== this.c.selfId) continue
      this.c.recordDebt(chunk.cid, chunk.sizeBytes, chunk.wantCopies, [...held])
      debtsRecorded++
    }
    return { chunksChecked: chunks.length, chunksShort, debtsRecorded, cachedKept, peersUnanswered }
  }
}

function add (totals: { -readonly [K in keyof RepairReport]: number }, report: RepairReport): void {
  totals.chunksChecked += report.chunksChecked
  totals.chunksShort += report.chunksShort
  totals.debtsRecorded += report.debtsRecorded
  totals.cachedKept += report.cachedKept
  totals.peersUnanswered += report.peersUnanswered
}
