// Raft messages for the transport tests.
import { encodeRaftMessage } from '../../../src/p2p/raft-transport/index.js'
import type { Message } from '../../../src/raft/types.js'

export function heartbeat (from: string, to: string, commit = 0): Message {
  return { type: 'MsgHeartbeat', from, to, term: 1, logTerm: 0, index: 0, entries: [], commit, reject: false, rejectHint: 0 }
}

export function append (from: string, to: string, index: number, dataBytes = 16): Message {
  return {
    ...heartbeat(from, to),
    type: 'MsgApp',
    index,
    entries: [{ term: 1, index: index + 1, type: 'normal', data: new Uint8Array(dataBytes).fill(index & 0xff) }]
  }
}

export function snapshot (from: string, to: string, index: number, dataBytes: number): Message {
  return {
    ...heartbeat(from, to),
    type: 'MsgSnap',
    index: 0,
    snapshot: { metadata: { index, term: 1, confState: { voters: [from, to], learners: [] } }, data: new Uint8Array(dataBytes).fill(index & 0xff) }
  }
}

/** A MsgSnap whose encoding is exactly `encodedBytes` long. */
export function snapshotOfEncodedBytes (from: string, to: string, index: number, encodedBytes: number): Message {
  const fixed = encodeRaftMessage(snapshot(from, to, index, 0)).byteLength
  // the data's length varints grow by a few bytes with it: try the sizes just below the naive one
  for (let dataBytes = encodedBytes - fixed; dataBytes >= Math.max(0, encodedBytes - fixed - 16); dataBytes--) {
    const m = snapshot(from, to, index, dataBytes)
    if (encodeRaftMessage(m).byteLength === encodedBytes) return m
  }
  throw new Error(`no MsgSnap encodes to exactly ${encodedBytes} bytes`)
}
