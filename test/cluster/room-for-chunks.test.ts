// Checks what a peer reports as free (and placement weighs): the disk's free bytes above the
// peer's reserve, never below zero, and zero before the first status is known.
import { strict as assert } from 'node:assert'
import { roomForChunks } from '../../src/cluster/cluster-view.js'
import type { NodeStatus } from '../../src/files/file-service.js'

const withFree = (diskFreeBytes: number): NodeStatus => ({ diskFreeBytes } as unknown as NodeStatus)

describe('cluster: room for chunks', () => {
  it('is the free space above the reserve, at least zero', () => {
    assert.equal(roomForChunks(withFree(1000), 256), 744)
    assert.equal(roomForChunks(withFree(256), 256), 0)
    assert.equal(roomForChunks(withFree(100), 256), 0)
    assert.equal(roomForChunks(withFree(1000), 0), 1000)
    assert.equal(roomForChunks(undefined, 0), 0)
  })
})
