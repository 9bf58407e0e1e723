// Checks the durable replication queue on real SQLite files in a temp directory: a row's fields
// and the merge of a repeated enqueue; due() at the exact due time, oldest first, at most `limit`;
// the retry delays 1 s, 2 s, 4 s ... up to the 60 s cap; holders bookkeeping and its 64 cap;
// totals kept in memory agree with a recount from the file after a random run of operations;
// maxEntries at the limit (NO_SPACE past it, merges still allowed); a full file is NO_SPACE and an
// unopenable one STORAGE_IO; rows survive close/reopen and a process SIGKILLed right after enqueue
// returned; the durable pragmas; a newer schema refused.
import { strict as assert } from 'node:assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import {
  MAX_HOLDERS, MAX_RETRY_DELAY_MS, ReplicationQueue, retryDelayMs, type ReplicationQueueOptions
} from '../../src/cluster/replication/replication-queue.js'
import { isJadfsError } from '../../src/errors.js'
import { createPrng } from '../../src/util/prng.js'
import { throwsWith } from '../fixtures-storage/helpers.js'

const T0 = 1_700_000_000_000

interface TempQueue {
  readonly path: string
  readonly queue: ReplicationQueue
  reopen: (options?: ReplicationQueueOptions) => ReplicationQueue
  cleanup: () => void
}

function openTemp (options: ReplicationQueueOptions = {}): TempQueue {
  const dir = mkdtempSync(join(tmpdir(), 'jadfs-replq-'))
  const path = join(dir, 'replication.sqlite')
  let current = ReplicationQueue.open(path, options)
  return {
    path,
    get queue () { return current },
    reopen: (again = options) => {
      current.close()
      current = ReplicationQueue.open(path, again)
      return current
    },
    cleanup: () => {
      current.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

describe('cluster: replication queue', () => {
  let t: TempQueue
  beforeEach(() => { t = openTemp() })
  afterEach(() => t.cleanup())

  it('stores a row with its fields, due at once', () => {
    t.queue.enqueue('c1', 1234, 3, ['self'], T0)
    assert.deepEqual(t.queue.get('c1'), { cid: 'c1', sizeBytes: 1234, wantCopies: 3, holders: ['self'], attempts: 0, nextAttemptAtMs: T0, createdAtMs: T0 })
    assert.deepEqual(t.queue.due(T0, 10).map((r) => r.cid), ['c1'])
    assert.equal(t.queue.get('nope'), undefined)
  })

  it('merges a repeated enqueue: larger want, union of holders, same size and schedule', () => {
    t.queue.enqueue('c1', 100, 2, ['self', 'a'], T0)
    t.queue.retryLater('c1', T0)
    t.queue.enqueue('c1', 100, 3, ['a', 'b', 'b'], T0 + 500)
    t.queue.enqueue('c1', 100, 1, [], T0 + 600)
    assert.deepEqual(t.queue.get('c1'), { cid: 'c1', sizeBytes: 100, wantCopies: 3, holders: ['self', 'a', 'b'], attempts: 1, nextAttemptAtMs: T0 + 1000, createdAtMs: T0 })
    assert.deepEqual(t.queue.totals(), { entries: 1, missingCopies: 0, bytes: 100 })
  })

  it('returns due rows at their due time and not a millisecond before, longest waiting first, at most limit', () => {
    t.queue.enqueue('late', 1, 2, [], T0 + 50)
    t.queue.enqueue('early', 1, 2, [], T0 + 10)
    t.queue.enqueue('same-b', 1, 2, [], T0 + 20)
    t.queue.enqueue('same-a', 1, 2, [], T0 + 20)
    assert.deepEqual(t.queue.due(T0 + 9, 10), [])
    assert.deepEqual(t.queue.due(T0 + 10, 10).map((r) => r.cid), ['early'])
    assert.deepEqual(t.queue.due(T0 + 49, 10).map((r) => r.cid), ['early', 'same-a', 'same-b'])
    assert.deepEqual(t.queue.due(T0 + 50, 10).map((r) => r.cid), ['early', 'same-a', 'same-b', 'late'])
    assert.deepEqual(t.queue.due(T0 + 50, 4).map((r) => r.cid), ['early', 'same-a', 'same-b', 'late'])
    assert.deepEqual(t.queue.due(T0 + 50, 3).map((r) => r.cid), ['early', 'same-a', 'same-b'])
    // a retried row goes behind the rows that have waited longer
    t.queue.retryLater('early', T0 + 50)
    assert.deepEqual(t.queue.due(T0 + 1050, 10).map((r) => r.cid), ['same-a', 'same-b', 'late', 'early'])
  })

  it('backs off 1 s, 2 s, 4 s ... doubling up to the 60 s cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 1000].map(retryDelayMs), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
    t.queue.enqueue('c', 1, 2, ['self'], T0)
    let now = T0
    for (const expected of [1000, 2000, 4000, 8000, 16_000, 32_000, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]) {
      assert.equal(t.queue.retryLater('c', now), true)
      assert.equal(t.queue.get('c')?.nextAttemptAtMs, now + expected)
      assert.deepEqual(t.queue.due(now + expected - 1, 10), [])
      assert.deepEqual(t.queue.due(now + expected, 10).map((r) => r.cid), ['c'])
      now += expected
    }
    assert.equal(t.queue.get('c')?.attempts, 8)
    assert.equal(t.queue.retryLater('unknown', now), false)
  })

  it('adds holders once each, and reports none for an unknown chunk', () => {
    t.queue.enqueue('c', 10, 3, ['self'], T0)
    assert.equal(t.queue.addHolder('c', 'a'), true)
    assert.equal(t.queue.addHolder('c', 'a'), true)
    assert.deepEqual(t.queue.holders('c'), ['self', 'a'])
    assert.deepEqual(t.queue.totals(), { entries: 1, missingCopies: 1, bytes: 10 })
    assert.equal(t.queue.addHolder('unknown', 'a'), false)
    assert.deepEqual(t.queue.holders('unknown'), [])
    assert.equal(t.queue.remove('c'), true)
    assert.equal(t.queue.remove('c'), false)
    assert.deepEqual(t.queue.totals(), { entries: 0, missingCopies: 0, bytes: 0 })
  })

  it(`keeps at most ${MAX_HOLDERS} holders per chunk`, () => {
    const peers = Array.from({ length: MAX_HOLDERS + 1 }, (_, i) => `p${i}`)
    t.queue.enqueue('c', 1, MAX_HOLDERS, peers.slice(0, MAX_HOLDERS - 1), T0)
    assert.equal(t.queue.holders('c').length, MAX_HOLDERS - 1)
    t.queue.addHolder('c', peers[MAX_HOLDERS - 1] as string)
    assert.equal(t.queue.holders('c').length, MAX_HOLDERS)
    t.queue.addHolder('c', peers[MAX_HOLDERS] as string)
    assert.equal(t.queue.holders('c').length, MAX_HOLDERS)
    assert.throws(() => t.queue.enqueue('d', 1, MAX_HOLDERS + 1, [], T0), /wantCopies/)
  })

  it('counts missing copies as Σ max(0, want - holders) and bytes as Σ size', () => {
    t.queue.enqueue('a', 100, 3, ['self'], T0) // missing 2
    t.queue.enqueue('b', 50, 2, ['self', 'x', 'y'], T0) // over-held: missing 0, not -1
    t.queue.enqueue('c', 7, 1, [], T0) // missing 1
    assert.deepEqual(t.queue.totals(), { entries: 3, missingCopies: 3, bytes: 157 })
  })

  it('keeps its in-memory totals equal to a recount from the file over a random run', () => {
    const prng = createPrng(42)
    const cids = Array.from({ length: 30 }, (_, i) => `c${i}`)
    const peers = ['self', 'p1', 'p2', 'p3', 'p4', 'p5']
    const pick = <T>(xs: readonly T[]): T => xs[prng.nextInt(xs.length)] as T
    for (let step = 0; step < 2000; step++) {
      const cid = pick(cids)
      const op = prng.nextInt(4)
      if (op === 0) t.queue.enqueue(cid, 10 + cids.indexOf(cid), 1 + prng.nextInt(5), [pick(peers), pick(peers)], T0 + step)
      else if (op === 1) t.queue.addHolder(cid, pick(peers))
      else if (op === 2) t.queue.remove(cid)
      else t.queue.retryLater(cid, T0 + step)
    }
    const inMemory = t.queue.totals()
    assert.ok(inMemory.entries > 0)
    // reopening recounts from the file
    assert.deepEqual(t.reopen().totals(), inMemory)
  })

  it('refuses a new chunk past maxEntries with NO_SPACE, and still merges into queued ones', () => {
    t.cleanup()
    t = openTemp({ maxEntries: 3 })
    for (const cid of ['a', 'b', 'c']) t.queue.enqueue(cid, 1, 2, ['self'], T0)
    throwsWith(() => t.queue.enqueue('d', 1, 2, ['self'], T0), 'NO_SPACE', /replication queue is full/)
    assert.equal(t.queue.get('d'), undefined)
    t.queue.enqueue('a', 1, 3, ['self', 'x'], T0)
    assert.deepEqual(t.queue.get('a')?.holders, ['self', 'x'])
    assert.deepEqual(t.queue.totals(), { entries: 3, missingCopies: 3, bytes: 3 })
    t.queue.remove('b')
    t.queue.enqueue('d', 1, 2, ['self'], T0)
    // the limit also holds for rows found on disk at open
    throwsWith(() => t.reopen().enqueue('e', 1, 2, [], T0), 'NO_SPACE')
  })

  it('keeps rows across close and reopen, and refuses use after close', () => {
    t.queue.enqueue('c1', 5, 3, ['self'], T0)
    t.queue.addHolder('c1', 'a')
    t.queue.retryLater('c1', T0)
    const before = t.queue.get('c1')
    const q = t.queue
    const reopened = t.reopen()
    assert.throws(() => q.due(T0, 1), /after close/)
    assert.deepEqual(reopened.get('c1'), before)
    assert.deepEqual(reopened.totals(), { entries: 1, missingCopies: 1, bytes: 5 })
  })

  it('loses nothing when the process is SIGKILLed right after enqueue returns', () => {
    t.queue.close()
    // no close(), no WAL checkpoint, no exit hooks in the child
    const queueModule = new URL('../../src/cluster/replication/replication-queue.js', import.meta.url).href
    const script = `
      const { ReplicationQueue } = await import(${JSON.stringify(queueModule)})
      const q = ReplicationQueue.open(${JSON.stringify(t.path)})
      for (let i = 0; i < 50; i++) q.enqueue('c' + i, i, 3, ['self'], ${T0} + i)
      q.addHolder('c7', 'peer-b')
      q.enqueue('last', 99, 2, ['self'], ${T0 + 1000})
      process.kill(process.pid, 'SIGKILL')`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    assert.equal(child.signal, 'SIGKILL', child.stderr)
    const q = t.reopen()
    assert.deepEqual(q.get('last'), { cid: 'last', sizeBytes: 99, wantCopies: 2, holders: ['self'], attempts: 0, nextAttemptAtMs: T0 + 1000, createdAtMs: T0 + 1000 })
    assert.deepEqual(q.holders('c7'), ['self', 'peer-b'])
    assert.equal(q.totals().entries, 51)
  })

  it('reports a full file as NO_SPACE and leaves its totals as they were', () => {
    const own = (t.queue as unknown as { db: Database.Database }).db
    // cap the file at its current size: the next page it needs is refused with SQLITE_FULL
    own.pragma(`max_page_count = ${own.pragma('page_count', { simple: true }) as number}`)
    let stored = 0
    const err = (() => {
      try {
        for (; stored < 10_000; stored++) t.queue.enqueue(`c${stored}-${'x'.repeat(200)}`, 1, 2, ['self'], T0)
      } catch (e) {
        return e
      }
      return undefined
    })()
    assert.ok(isJadfsError(err, 'NO_SPACE'), String(err))
    assert.deepEqual(t.queue.totals(), { entries: stored, missingCopies: stored, bytes: stored })
  })

  it('reports a file it cannot open as STORAGE_IO', () => {
    throwsWith(() => ReplicationQueue.open(join(t.path, 'no-such-dir', 'q.sqlite')), 'STORAGE_IO', /replication queue/)
  })

  it('runs in WAL mode with synchronous=FULL, and refuses a newer schema', () => {
    const own = (t.queue as unknown as { db: Database.Database }).db
    assert.equal(own.pragma('journal_mode', { simple: true }), 'wal')
    assert.equal(own.pragma('synchronous', { simple: true }), 2)
    t.queue.close()
    const raw = new Database(t.path)
    raw.pragma('user_version = 2')
    raw.close()
    throwsWith(() => ReplicationQueue.open(t.path), 'STORAGE_IO', /schema version 2/)
    const fix = new Database(t.path)
    fix.pragma('user_version = 1')
    fix.close()
  })
})
