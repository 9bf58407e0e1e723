// Runs the storage compliance suite on MemoryRaftStorage. It has no durable state beyond the
// object itself, so the restart tests are skipped and the property test runs without reopening.

import { MemoryRaftStorage } from '../../../src/raft/storage/memory-storage.js'
import type { ConfState } from '../../../src/raft/types.js'
import { describeRaftStorageCompliance } from './storage-compliance.js'

describeRaftStorageCompliance('memory', (initialConfState?: ConfState) => {
  const storage = new MemoryRaftStorage(initialConfState)
  return { storage, cleanup: () => storage.close() }
})
