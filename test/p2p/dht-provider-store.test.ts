// Checks the DHT's provider record store directly, with keys shaped as kad-dht writes them
// (/dht/provider/<cid>/<peer>): the total limit keeps exactly maxRecords records from other
// peers and refuses the next with DHT_RECORD_REFUSED; the per-peer limit keeps exactly
// maxRecordsPerPeer from one peer while others still get in; renewing a kept record is accepted
// at the limit and replaces its value; our own records are kept past both limits and not counted;
// a delete frees a slot (in total and for its peer); a prefix query returns one CID's records
// only (not those of a CID whose name merely starts the same; one of a single record, which
// kad-dht never makes, asserts), a full scan returns all and
// survives the deletes kad-dht's reprovider makes while it walks; anything but a provider record
// is refused on write and not found on read; refusals are warned about once a minute at most.
import { strict as assert } from 'node:assert'
import { Key } from 'interface-datastore'
import { isJadfsError } from '../../src/errors.js'
import { DHT_PROVIDER_KEY_PREFIX, DhtProviderStore, type DhtProviderStoreInit } from '../../src/p2p/dht-provider-store.js'
import { AssertionFailure } from '../../src/util/assert.js'

const SELF = 'self-peer'

function recordKey (cid: string, peer: string): Key {
  return new Key(`${DHT_PROVIDER_KEY_PREFIX}${cid}/${peer}`)
}

function time (ms: number): Uint8Array {
  return new TextEncoder().encode(String(ms))
}

function store (init: Partial<DhtProviderStoreInit> = {}): DhtProviderStore {
  return new DhtProviderStore({ maxRecords: 100, maxRecordsPerPeer: 100, selfPeerId: SELF, ...init })
}

function assertRefused (fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => isJadfsError(err, 'DHT_RECORD_REFUSED'))
}

async function keysOf (records: Iterable<{ key: Key }> | AsyncIterable<{ key: Key }>): Promise<string[]> {
  const keys: string[] = []
  for await (const { key } of records) keys.push(key.toString())
  return keys.sort()
}

describe('p2p: DHT provider store', () => {
  it('keeps exactly maxRecords records from other peers and refuses the next', () => {
    const s = store({ maxRecords: 4 })
    for (let i = 0; i < 4; i++) s.put(recordKey(`cid${i}`, `peer${i % 2}`), time(i))
    assert.deepEqual(s.stats(), { records: 4, selfRecords: 0, peers: 2, refused: 0 })
    assertRefused(() => s.put(recordKey('cid4', 'peer2'), time(4)))
    assert.equal(s.has(recordKey('cid4', 'peer2')), false)
    assert.deepEqual(s.stats(), { records: 4, selfRecords: 0, peers: 2, refused: 1 })
  })

  it('keeps exactly maxRecordsPerPeer from one peer, and still takes records from others', () => {
    const s = store({ maxRecordsPerPeer: 3 })
    for (let i = 0; i < 3; i++) s.put(recordKey(`cid${i}`, 'flooder'), time(i))
    assertRefused(() => s.put(recordKey('cid3', 'flooder'), time(3)))
    s.put(recordKey('cid3', 'holder'), time(3))
    assert.deepEqual(s.stats(), { records: 4, selfRecords: 0, peers: 2, refused: 1 })
  })

  it('accepts the renewal of a kept record at the limit, with its new value', () => {
    const s = store({ maxRecords: 2, maxRecordsPerPeer: 2 })
    s.put(recordKey('a', 'peer'), time(1))
    s.put(recordKey('b', 'peer'), time(1))
    s.put(recordKey('a', 'peer'), time(2))
    assert.deepEqual(s.get(recordKey('a', 'peer')), time(2))
    assert.deepEqual(s.stats(), { records: 2, selfRecords: 0, peers: 1, refused: 0 })
  })

  it('keeps our own records past both limits without counting them', () => {
    const s = store({ maxRecords: 1, maxRecordsPerPeer: 1 })
    s.put(recordKey('a', 'peer'), time(1))
    for (let i = 0; i < 3; i++) s.put(recordKey(`own${i}`, SELF), time(1))
    assert.deepEqual(s.stats(), { records: 1, selfRecords: 3, peers: 1, refused: 0 })
    s.delete(recordKey('own0', SELF))
    assert.deepEqual(s.stats(), { records: 1, selfRecords: 2, peers: 1, refused: 0 })
  })

  it('frees a slot on delete, in total and for the record\'s peer; deleting a missing record changes nothing', () => {
    const s = store({ maxRecords: 3, maxRecordsPerPeer: 2 })
    s.put(recordKey('a', 'p1'), time(1))
    s.put(recordKey('b', 'p1'), time(1))
    s.put(recordKey('c', 'p2'), time(1))
    assertRefused(() => s.put(recordKey('d', 'p1'), time(1)))
    s.delete(recordKey('zzz', 'p1'))
    s.delete(recordKey('c', 'p1'))
    assert.deepEqual(s.stats(), { records: 3, selfRecords: 0, peers: 2, refused: 1 })
    s.delete(recordKey('a', 'p1'))
    s.put(recordKey('d', 'p1'), time(1))
    assert.deepEqual(s.stats(), { records: 3, selfRecords: 0, peers: 2, refused: 1 })
    s.delete(recordKey('c', 'p2'))
    assert.deepEqual(s.stats(), { records: 2, selfRecords: 0, peers: 1, refused: 1 })
  })

  it('answers a CID prefix with that CID\'s records only, and a full scan with all', async () => {
    const s = store()
    s.put(recordKey('cid', 'p1'), time(1))
    s.put(recordKey('cid', 'p2'), time(2))
    s.put(recordKey('cid2', 'p1'), time(3))
    s.put(recordKey('other', SELF), time(4))
    assert.deepEqual(await keysOf(s.query({ prefix: `${DHT_PROVIDER_KEY_PREFIX}cid` })),
      [recordKey('cid', 'p1').toString(), recordKey('cid', 'p2').toString()])
    // kad-dht never asks for one record: such a query is a bug, not an empty answer
    assert.throws(() => [...s.query({ prefix: `${DHT_PROVIDER_KEY_PREFIX}cid/p2` })], AssertionFailure)
    assert.deepEqual(await keysOf(s.query({ prefix: `${DHT_PROVIDER_KEY_PREFIX}none` })), [])
    const all = await keysOf(s.query({ prefix: DHT_PROVIDER_KEY_PREFIX.slice(0, -1) }))
    assert.equal(all.length, 4)
    assert.deepEqual(await keysOf(s.query({})), all)
    assert.deepEqual([...s.queryKeys({ prefix: '/dht' })].map(String).sort(), all)
    const values = []
    for await (const { value } of s.query({ prefix: `${DHT_PROVIDER_KEY_PREFIX}cid2` })) values.push(value)
    assert.deepEqual(values, [time(3)])
  })

  it('survives deletes during a full scan, as kad-dht\'s reprovider expires records while it walks them', async () => {
    const s = store()
    for (let i = 0; i < 10; i++) s.put(recordKey(`cid${i}`, `p${i % 3}`), time(i))
    let seen = 0
    for await (const { key } of s.query({ prefix: DHT_PROVIDER_KEY_PREFIX })) {
      seen++
      s.delete(key)
    }
    assert.equal(seen, 10)
    assert.deepEqual(s.stats(), { records: 0, selfRecords: 0, peers: 0, refused: 0 })
    assert.deepEqual(await keysOf(s.query({})), [])
  })

  it('refuses to write anything but a provider record, and finds nothing else', () => {
    const s = store()
    assert.throws(() => s.put(new Key('/dht/record/abc'), time(1)), AssertionFailure)
    assert.throws(() => s.put(new Key(`${DHT_PROVIDER_KEY_PREFIX}cid-without-peer`), time(1)), AssertionFailure)
    assert.throws(() => s.get(new Key('/dht/record/abc')), (err: Error) => err.name === 'NotFoundError')
    assert.throws(() => s.get(recordKey('cid', 'p1')), (err: Error) => err.name === 'NotFoundError')
    assert.equal(s.has(new Key('/dht/record/abc')), false)
    assert.deepEqual(s.stats(), { records: 0, selfRecords: 0, peers: 0, refused: 0 })
  })

  it('warns about refusals once a minute at most, with how many there were', () => {
    const clock = { now: 0 }
    const warnings: Array<Record<string, unknown>> = []
    const logger = { debug: () => {}, info: () => {}, warn: (fields: Record<string, unknown>) => { warnings.push(fields) } }
    const s = store({ maxRecords: 1, logger, nowMs: () => clock.now })
    s.put(recordKey('a', 'p1'), time(1))
    for (let i = 0; i < 5; i++) assertRefused(() => s.put(recordKey(`x${i}`, 'p2'), time(1)))
    assert.deepEqual(warnings.map((w) => w.refused), [1])
    clock.now += 59_999
    assertRefused(() => s.put(recordKey('y', 'p2'), time(1)))
    assert.equal(warnings.length, 1)
    clock.now += 1
    assertRefused(() => s.put(recordKey('z', 'p2'), time(1)))
    assert.deepEqual(warnings.map((w) => w.refused), [1, 6])
  })
})
