// Checks the Raft transport carrying a real Raft cluster: three libp2p hosts on loopback in
// one process, each running createRaftDriver over SqliteRaftStorage in its own temp dir with
// a Map state machine, ticked every 20 ms (electionTick 10). A leader is elected; writes
// proposed through every node (followers forward to the leader) are applied on all three.
// Stopping the leader's host elects a new leader among the other two and writes resume.
// Restarting the old leader (same key, same port, same SQLite file) catches it up; it is so
// far behind the others' compacted logs that it must receive a snapshot over the transport.
// Every wait is a bounded poll.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isJadfsError } from '../../../src/errors.js'
import type { NodeId } from '../../../src/raft/types.js'
import { waitFor } from '../helpers/hosts.js'
import { RaftNode } from './raft-node.js'

/** a restarted node must need a snapshot: the others compact every 4 entries */
const SNAPSHOT_ENTRIES = 4
const WRITES_WHILE_DOWN = 12

describe('p2p raft transport: a Raft cluster over real hosts', function () {
  this.timeout(45_000)
  let nodes: RaftNode[] = []
  let dirs: string[] = []

  afterEach(async () => {
    await Promise.all(nodes.map(async (n) => { await n.stop() }))
    await Promise.all(dirs.map(async (d) => { await rm(d, { recursive: true, force: true }) }))
    nodes = []
    dirs = []
  })

  /** the leader every running node agrees on */
  function agreedLeader (running: readonly RaftNode[]): RaftNode | undefined {
    const leader = running.find((n) => n.driver.status().role === 'leader')
    if (leader === undefined) return undefined
    return running.every((n) => n.driver.status().leader === leader.id) ? leader : undefined
  }

  async function waitForLeader (running: readonly RaftNode[], what: string): Promise<RaftNode> {
    let leader: RaftNode | undefined
    await waitFor(what, () => (leader = agreedLeader(running)) !== undefined, 10_000, 20)
    return leader!
  }

  /** proposes through `node`, retrying what a leader change can cause (SETs are idempotent) */
  async function write (node: RaftNode, command: string): Promise<void> {
    const deadline = Date.now() + 10_000
    while (true) {
      try {
        await node.propose(command)
        return
      } catch (err) {
        const retriable = isJadfsError(err, 'NOT_LEADER') || isJadfsError(err, 'PROPOSAL_DROPPED') || isJadfsError(err, 'TIMEOUT')
        if (!retriable || Date.now() > deadline) throw err
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }

  function hasAll (node: RaftNode, expected: ReadonlyMap<string, string>): boolean {
    for (const [k, v] of expected) if (node.sm.data.get(k) !== v) return false
    return true
  }

  it('elects, replicates through every node, fails over, and catches a restarted node up', async () => {
    const keys: PrivateKey[] = await Promise.all([0, 1, 2].map(async () => await generateKeyPair('Ed25519')))
    const ids: NodeId[] = keys.map((key) => peerIdFromPrivateKey(key).toString())
    dirs = await Promise.all(ids.map(async () => await mkdtemp(join(tmpdir(), 'jadfs-raft-transport-'))))
    const book = new Map<NodeId, Multiaddr>()
    const start = async (i: number, listen = '/ip4/127.0.0.1/tcp/0'): Promise<RaftNode> => {
      const node = await RaftNode.start({ key: keys[i]!, listen, dataDir: dirs[i]!, voters: ids, book, seed: i + 1, snapshotEntries: SNAPSHOT_ENTRIES })
      book.set(node.id, node.addr())
      return node
    }
    nodes = [await start(0), await start(1), await start(2)]

    const firstLeader = await waitForLeader(nodes, 'a first leader')
    const expected = new Map<string, string>()
    for (const [i, node] of nodes.entries()) {
      await write(node, `through-${i}=v${i}`)
      expected.set(`through-${i}`, `v${i}`)
    }
    await waitFor('every write applied on all three', () => nodes.every((n) => hasAll(n, expected)), 10_000, 20)

    // stop the leader's host: the other two elect a new leader and go on writing
    const downIndex = nodes.indexOf(firstLeader)
    const downAddr = book.get(firstLeader.id)!
    const { term: firstTerm, lastIndex: downLastIndex } = firstLeader.driver.status()
    await firstLeader.stop()
    const survivors = nodes.filter((n) => n !== firstLeader)
    const secondLeader = await waitForLeader(survivors, 'a new leader among the survivors')
    assert.notEqual(secondLeader.id, firstLeader.id)
    assert.ok(secondLeader.driver.status().term > firstTerm)
    for (let i = 0; i < WRITES_WHILE_DOWN; i++) {
      const via = survivors[i % 2]!
      await write(via, `while-down-${i}=w${i}`)
      expected.set(`while-down-${i}`, `w${i}`)
    }
    await waitFor('writes applied on both survivors', () => survivors.every((n) => hasAll(n, expected)), 10_000, 20)
    // the leader has compacted past everything the stopped node holds
    assert.ok(secondLeader.storage.firstIndex() > downLastIndex + 1)

    // restart the old leader over the same SQLite file, same identity and port
    const restarted = await start(downIndex, downAddr.decapsulateCode(421).toString())
    assert.equal(restarted.id, firstLeader.id)
    nodes[downIndex] = restarted
    await waitFor('the restarted node to catch up', () => hasAll(restarted, expected), 15_000, 20)
    assert.ok(restarted.receivedTypes.includes('MsgSnap'), 'caught up through a snapshot sent over the transport')

    // and it takes part again: a write through it reaches all three
    await write(restarted, 'after-restart=x')
    expected.set('after-restart', 'x')
    await waitFor('the last write on all three', () => nodes.every((n) => hasAll(n, expected)), 10_000, 20)
    assert.equal(nodes.filter((n) => n.driver.status().role === 'leader').length, 1)
  })
})
