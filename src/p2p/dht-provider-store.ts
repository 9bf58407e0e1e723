// The datastore kad-dht keeps its provider records in: bounded, in total and per providing peer,
// and indexed by chunk.
//
// Why hand-written: kad-dht 16 stores every ADD_PROVIDER it receives in the libp2p datastore
// (an unbounded in-memory one unless configured), so any peer that can connect makes us keep
// as many records as it cares to send. It has no option to cap them: the `providers.cacheSize`,
// `cleanupInterval` and `provideValidity` options it declares are read by nothing, and expired
// records are only dropped by its reprovider, 48 h later. Its one seam is the datastore
// component, so the DHT (and only the DHT: the peer store keeps libp2p's) gets this one.
// It also indexes records by CID: a memory datastore answers kad-dht's per-CID prefix query by
// scanning every key (measured: ~0.1 s per 100,000 records, for each GET_PROVIDERS a peer sends),
// which would turn a full store into a CPU sink.
//
// Our own records (`selfPeerId`) are kept but not counted: refusing one would fail our own
// provide, and they are as many as the chunks we have announced (kad-dht keeps each until
// cancelReprovide). Re-putting a record that exists (a peer renewing it) is always accepted, so
// renewals keep working at the limit. Value records (PUT_VALUE) are not kept here at all: the
// DHT refuses them before they reach the store (libp2p-options.ts).
import { NotFoundError } from '@libp2p/interface'
import type { AbortOptions } from '@libp2p/interface'
import { BaseDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import type { KeyQuery, Pair, Query } from 'interface-datastore'
import { JadfsError } from '../errors.js'
import { assert } from '../util/assert.js'
import { silentLogger } from './logger.js'
import type { P2pLogger } from './logger.js'
import { ThrottledWarning } from '../util/throttled-warning.js'

/** kad-dht's provider records live under `${datastorePrefix}/provider`; we keep its default prefix. */
export const DHT_PROVIDER_KEY_PREFIX = '/dht/provider/'
/** One warning per this long at most, however many records are refused. */
const REFUSAL_WARN_INTERVAL_MS = 60_000

export interface DhtProviderLimits {
  /** provider records kept from other peers, all together */
  readonly maxRecords: number
  /** provider records kept from any one other peer */
  readonly maxRecordsPerPeer: number
}

export interface DhtProviderStoreInit extends DhtProviderLimits {
  /** our own peer id (string form): our records are not counted */
  readonly selfPeerId: string
  readonly logger?: P2pLogger
  readonly nowMs?: () => number
}

export interface DhtProviderStoreStats {
  /** records from other peers */
  readonly records: number
  /** our own records */
  readonly selfRecords: number
  /** distinct peers with records here, ourselves excluded */
  readonly peers: number
  /** new records refused since start */
  readonly refused: number
}

/** putMany, getMany, deleteMany and batch are BaseDatastore's, over the methods below. */
export class DhtProviderStore extends BaseDatastore {
  // cid segment of the key -> provider peer id -> kad-dht's value (the record's time, a varint)
  private readonly byCid = new Map<string, Map<string, Uint8Array>>()
  // records per other peer; `id` is the one copy of the peer id string the records share
  private readonly perPeer = new Map<string, { readonly id: string, records: number }>()
  private records = 0
  private selfRecords = 0
  private refused = 0
  private readonly logger: P2pLogger
  private readonly refusalWarning: ThrottledWarning

  constructor (private readonly init: DhtProviderStoreInit) {
    super()
    for (const limit of ['maxRecords', 'maxRecordsPerPeer'] as const) {
      assert(Number.isSafeInteger(init[limit]) && init[limit] > 0, `${limit} must be a positive integer`, { [limit]: init[limit] })
    }
    this.logger = init.logger ?? silentLogger
    this.refusalWarning = new ThrottledWarning(REFUSAL_WARN_INTERVAL_MS, init.nowMs)
  }

  stats (): DhtProviderStoreStats {
    return { records: this.records, selfRecords: this.selfRecords, peers: this.perPeer.size, refused: this.refused }
  }

  override has (key: Key, options?: AbortOptions): boolean {
    options?.signal?.throwIfAborted()
    const parts = providerKey(key)
    return parts !== undefined && this.byCid.get(parts.cid)?.has(parts.peer) === true
  }

  override put (key: Key, value: Uint8Array, options?: AbortOptions): Key {
    options?.signal?.throwIfAborted()
    const parts = providerKey(key)
    // kad-dht writes elsewhere only for value records (refused by the validators) and for our
    // own dht.put/get (which we do not use): a write here means that assumption broke
    assert(parts !== undefined, 'the DHT store keeps provider records only', { key: key.toString() })
    const { cid, peer } = parts
    const providers = this.byCid.get(cid)
    if (providers?.has(peer) === true) {
      providers.set(peer, value)
      return key
    }
    let id = this.init.selfPeerId
    if (peer === id) {
      this.selfRecords++
    } else {
      const fromPeer = this.perPeer.get(peer)
      if (fromPeer !== undefined && fromPeer.records >= this.init.maxRecordsPerPeer) this.refuse(peer, `it already has ${fromPeer.records}, the most kept per peer`)
      if (this.records >= this.init.maxRecords) this.refuse(peer, `${this.records} are kept, the most in total`)
      if (fromPeer === undefined) this.perPeer.set(peer, { id: peer, records: 1 })
      else fromPeer.records++
      id = fromPeer?.id ?? peer
      this.records++
    }
    if (providers === undefined) this.byCid.set(cid, new Map([[id, value]]))
    else providers.set(id, value)
    return key
  }

  override get (key: Key, options?: AbortOptions): Uint8Array {
    options?.signal?.throwIfAborted()
    const parts = providerKey(key)
    const value = parts === undefined ? undefined : this.byCid.get(parts.cid)?.get(parts.peer)
    // kad-dht tells "no record" from a failure by this error's name
    if (value === undefined) throw new NotFoundError(`no DHT record under ${key.toString()}`)
    return value
  }

  override delete (key: Key, options?: AbortOptions): void {
    options?.signal?.throwIfAborted()
    const parts = providerKey(key)
    if (parts === undefined) return
    const providers = this.byCid.get(parts.cid)
    if (providers?.delete(parts.peer) !== true) return
    if (providers.size === 0) this.byCid.delete(parts.cid)
    if (parts.peer === this.init.selfPeerId) {
      this.selfRecords--
      return
    }
    this.records--
    const fromPeer = this.perPeer.get(parts.peer)
    assert(fromPeer !== undefined && fromPeer.records > 0, 'a kept record is counted for its peer', { peer: parts.peer })
    if (--fromPeer.records === 0) this.perPeer.delete(parts.peer)
  }

  /**
   * Records under `q.prefix`: all provider records, or one CID's (`/dht/provider/<cid>`), the
   * two queries kad-dht makes. The other query fields are not supported.
   */
  override * query (q: Query, options?: AbortOptions): Generator<Pair> {
    for (const [cid, peer, value] of this.matching(q, options)) {
      yield { key: new Key(`${DHT_PROVIDER_KEY_PREFIX}${cid}/${peer}`, false), value }
    }
  }

  override * queryKeys (q: KeyQuery, options?: AbortOptions): Generator<Key> {
    for (const [cid, peer] of this.matching(q, options)) yield new Key(`${DHT_PROVIDER_KEY_PREFIX}${cid}/${peer}`, false)
  }

  private * matching (q: Query | KeyQuery, options?: AbortOptions): Generator<[string, string, Uint8Array]> {
    assert(q.filters === undefined && q.orders === undefined && q.limit === undefined && q.offset === undefined,
      'the DHT store answers prefix queries only', { query: Object.keys(q) })
    const prefix = q.prefix ?? ''
    if (DHT_PROVIDER_KEY_PREFIX.startsWith(prefix)) {
      // Live iteration: kad-dht's reprovider deletes expired records as it walks them, and a Map
      // iterator skips deleted entries without failing.
      for (const [cid, providers] of this.byCid) {
        for (const [peer, value] of providers) {
          options?.signal?.throwIfAborted()
          yield [cid, peer, value]
        }
      }
      return
    }
    if (!prefix.startsWith(DHT_PROVIDER_KEY_PREFIX)) return
    const cid = prefix.slice(DHT_PROVIDER_KEY_PREFIX.length)
    assert(!cid.includes('/'), 'the DHT store answers queries for all provider records or one CID\'s', { prefix })
    const providers = this.byCid.get(cid)
    if (providers === undefined) return
    for (const [peer, value] of providers) yield [cid, peer, value]
  }

  private refuse (peer: string, why: string): never {
    this.refused++
    const covered = this.refusalWarning.record()
    if (covered !== undefined) {
      this.logger.warn({ refused: covered, lastPeer: peer, maxRecords: this.init.maxRecords, maxRecordsPerPeer: this.init.maxRecordsPerPeer },
        'DHT provider records refused: a peer sends more than we keep (a flood, or a cluster past the limits)')
    }
    throw new JadfsError('DHT_RECORD_REFUSED', `a DHT provider record from ${peer} was refused: ${why}`, { details: { peer } })
  }
}

const PREFIX_BYTES = new TextEncoder().encode(DHT_PROVIDER_KEY_PREFIX)
const SLASH = 0x2f
const decoder = new TextDecoder()

/**
 * The CID and peer segments of a provider record key, or undefined for any other key. Decoded
 * from the key's bytes rather than sliced from its string: a slice would keep the whole key
 * string alive for as long as the record is kept.
 */
function providerKey (key: Key): { cid: string, peer: string } | undefined {
  const bytes = key.uint8Array()
  if (bytes.byteLength <= PREFIX_BYTES.byteLength || !PREFIX_BYTES.every((b, i) => bytes[i] === b)) return undefined
  const slash = bytes.indexOf(SLASH, PREFIX_BYTES.byteLength)
  if (slash <= PREFIX_BYTES.byteLength || slash === bytes.byteLength - 1 || bytes.indexOf(SLASH, slash + 1) !== -1) return undefined
  return { cid: decoder.decode(bytes.subarray(PREFIX_BYTES.byteLength, slash)), peer: decoder.decode(bytes.subarray(slash + 1)) }
}
