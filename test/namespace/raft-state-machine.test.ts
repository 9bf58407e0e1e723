// Checks the Raft-facing adapter of the namespace: entries apply at their own index, a replay
// is skipped, and snapshot/restore/appliedIndex pass through, so a driver can resume a log
// at appliedIndex() + 1.
import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { chunkCidFromSha256 } from '../../src/chunk/cid.js'
import { encodeCommand } from '../../src/namespace/commands.js'
import { namespaceRaftStateMachine } from '../../src/namespace/raft-state-machine.js'
import { NamespaceStateMachine } from '../../src/namespace/state-machine.js'
import { ChunkIndex } from '../../src/store/chunk-index.js'
import { openDatabase } from '../../src/store/database.js'
import type { Entry } from '../../src/raft/types.js'
import { makeTempDir } from '../fixtures-storage/helpers.js'

describe('namespace as a raft state machine', () => {
  it('applies entries at their index, skips replays, and snapshots/restores', async () => {
    const temp = await makeTempDir()
    const db = openDatabase(join(temp.dir, 'meta.sqlite'))
    try {
      const namespace = new NamespaceStateMachine({ db, chunks: new ChunkIndex(db), nowMs: () => 1 })
      const sm = namespaceRaftStateMachine(namespace)
      const cid = chunkCidFromSha256(Buffer.alloc(32, 1))
      const payload = encodeCommand({
        type: 'putFile',
        record: { path: '/f', sizeBytes: 3, sha256: 'cd'.repeat(32), chunkSizeBytes: 65536, chunks: [{ cid, sizeBytes: 3 }], replication: { factor: 3, mode: 'sync' }, modifiedAtMs: 9 }
      })
      const entry = (index: number): Entry => ({ term: 1, index, type: 'normal', data: payload })
      assert.equal(sm.appliedIndex(), 0)
      assert.equal((sm.apply(entry(3), payload, undefined) as { status: string }).status, 'applied')
      assert.equal(sm.appliedIndex(), 3)
      assert.deepEqual(sm.apply(entry(3), payload, undefined), { status: 'skipped' })
      const snapshot = sm.snapshot()
      sm.restore(snapshot, 4)
      assert.equal(sm.appliedIndex(), 4)
      assert.equal(namespace.get('/f')?.version, 1)
    } finally {
      db.close()
      await temp.cleanup()
    }
  })
})
