// Checks the gossip validators (validate.ts) at every limit they enforce, without a network:
// they are pure functions of the bytes and the signed sender. For each limit, a message valid
// in every other way is accepted exactly at the limit and refused one past it, and the
// refusal's reason is compared, so a test cannot pass because another check refused the
// message. Heartbeats: the total size (reached by padding with a field no decoder knows), the
// version and API address lengths and characters (printable ASCII), the seven numeric fields (Number.MAX_SAFE_INTEGER; one
// more is refused by the decoder, which cannot represent it, so no unsafe number ever reaches
// our code), the sequence (from 1), the raft role (the last known one; the next is refused by
// the decoder), and the sender. Chunk events: the total size, the number of ids, at least one
// id, the kind, the time, and the form of each id. And the limits agree: a message with every
// field at its limit fits the total size, so the total never refuses a message the field
// limits allow.
import { strict as assert } from 'node:assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { ChunkEvent, ChunkEventKind } from '../../src/p2p/gossip/chunk-event.js'
import { Heartbeat, RaftRole } from '../../src/p2p/gossip/heartbeat.js'
import { MAX_API_ADDRESS_CHARS, MAX_CHUNK_EVENT_BYTES, MAX_CIDS_PER_CHUNK_EVENT, MAX_HEARTBEAT_BYTES, MAX_VERSION_CHARS } from '../../src/p2p/gossip/topics.js'
import { validateChunkEvent, validateHeartbeat } from '../../src/p2p/gossip/validate.js'
import type { Validated } from '../../src/p2p/gossip/validate.js'
import { padProtobuf, withVarintField } from '../helpers/protobuf-padding.js'
import { chunkCid } from './helpers/cids.js'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
/** Field numbers from heartbeat.proto and chunk-event.proto, for values set by hand. */
const HEARTBEAT_NUMBER_FIELDS = { freeBytes: 2, usedBytes: 3, chunkCount: 4, raftTerm: 6, sequence: 9, sentAtMs: 10, startedAtMs: 11 } as const
const HEARTBEAT_RAFT_ROLE_FIELD = 5
const CHUNK_EVENT_KIND_FIELD = 1
const CHUNK_EVENT_SENT_AT_FIELD = 3
/** RAFT_ROLE_LEARNER, the last value of the enum. */
const LAST_RAFT_ROLE = 4n
/** the decoder's own refusal of a varint past Number.MAX_SAFE_INTEGER */
const UNSAFE_VARINT = /: Could not encode varint$/
const UNKNOWN_ENUM = /: Invalid enum value$/

function accepted<T> (result: Validated<T>): T {
  if (!result.ok) assert.fail(`refused: ${result.reason}`)
  return result.value
}

function refusal<T> (result: Validated<T>): string {
  if (result.ok) assert.fail('accepted')
  return result.reason
}

describe('p2p: gossip validation at its limits', () => {
  let sender: PeerId
  let other: PeerId
  let cids: CID[]
  before(async () => {
    sender = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    cids = await Promise.all(Array.from({ length: MAX_CIDS_PER_CHUNK_EVENT + 1 }, async (_v, i) => await chunkCid(`chunk ${i}`)))
  })

  const heartbeat = (change: Partial<Heartbeat> = {}): Uint8Array => Heartbeat.encode({
    peerId: sender.toMultihash().bytes,
    freeBytes: 1,
    usedBytes: 1,
    chunkCount: 1,
    raftRole: RaftRole.RAFT_ROLE_FOLLOWER,
    raftTerm: 1,
    version: '0.1.0',
    apiAddress: 'http://127.0.0.1:5080',
    sequence: 1,
    sentAtMs: 2,
    startedAtMs: 1,
    ...change
  })
  const checkHeartbeat = (bytes: Uint8Array): Validated<unknown> => validateHeartbeat(bytes, sender)

  describe('heartbeats', () => {
    it(`takes ${MAX_HEARTBEAT_BYTES} bytes and refuses one more for its size`, () => {
      const atLimit = padProtobuf(heartbeat(), MAX_HEARTBEAT_BYTES)
      assert.equal(atLimit.byteLength, MAX_HEARTBEAT_BYTES)
      accepted(checkHeartbeat(atLimit))
      assert.equal(refusal(checkHeartbeat(padProtobuf(heartbeat(), MAX_HEARTBEAT_BYTES + 1))), `heartbeat of ${MAX_HEARTBEAT_BYTES + 1} bytes is over ${MAX_HEARTBEAT_BYTES}`)
    })

    it(`takes a version of ${MAX_VERSION_CHARS} characters and refuses one more`, () => {
      accepted(checkHeartbeat(heartbeat({ version: 'v'.repeat(MAX_VERSION_CHARS) })))
      assert.equal(refusal(checkHeartbeat(heartbeat({ version: 'v'.repeat(MAX_VERSION_CHARS + 1) }))), 'heartbeat version is too long')
    })

    it(`takes an API address of ${MAX_API_ADDRESS_CHARS} characters and refuses one more`, () => {
      accepted(checkHeartbeat(heartbeat({ apiAddress: 'a'.repeat(MAX_API_ADDRESS_CHARS) })))
      assert.equal(refusal(checkHeartbeat(heartbeat({ apiAddress: 'a'.repeat(MAX_API_ADDRESS_CHARS + 1) }))), 'heartbeat api address is too long')
    })

    // Space and tilde are the edges of printable ASCII; one below, one above, an escape
    // sequence, and two- and three-byte characters are each refused by this check alone.
    for (const [field, name] of [['version', 'version'], ['apiAddress', 'api address']] as const) {
      it(`takes only printable ASCII in the ${name}`, () => {
        assert.equal(accepted(validateHeartbeat(heartbeat({ [field]: ' ~' }), sender))[field], ' ~')
        for (const bad of ['\x1f', '\x7f', '\x1b[2J', 'é', '€']) {
          assert.equal(refusal(checkHeartbeat(heartbeat({ [field]: `ok${bad}` }))), `heartbeat ${name} is not printable ASCII`, JSON.stringify(bad))
        }
      })
    }

    // Our encoder will not write 2^53, so the values are appended by hand (the last value of
    // a field wins); another peer's encoder might write them.
    for (const [name, field] of Object.entries(HEARTBEAT_NUMBER_FIELDS)) {
      it(`takes ${name} = 2^53 - 1 and refuses 2^53 in the decoder`, () => {
        const value = accepted(validateHeartbeat(withVarintField(heartbeat(), field, MAX_SAFE), sender))
        assert.equal(value[name as keyof typeof HEARTBEAT_NUMBER_FIELDS], Number.MAX_SAFE_INTEGER)
        assert.match(refusal(checkHeartbeat(withVarintField(heartbeat(), field, MAX_SAFE + 1n))), new RegExp(`^undecodable heartbeat${UNSAFE_VARINT.source}`))
      })
    }

    it('takes sequence 1 and refuses 0', () => {
      accepted(checkHeartbeat(heartbeat({ sequence: 1 })))
      assert.equal(refusal(checkHeartbeat(heartbeat({ sequence: 0 }))), 'heartbeat sequence starts at 1')
    })

    it('takes the last raft role and refuses the next value in the decoder', () => {
      assert.equal(accepted(validateHeartbeat(withVarintField(heartbeat(), HEARTBEAT_RAFT_ROLE_FIELD, LAST_RAFT_ROLE), sender)).raftRole, RaftRole.RAFT_ROLE_LEARNER)
      assert.match(refusal(checkHeartbeat(withVarintField(heartbeat(), HEARTBEAT_RAFT_ROLE_FIELD, LAST_RAFT_ROLE + 1n))), new RegExp(`^undecodable heartbeat${UNKNOWN_ENUM.source}`))
    })

    it('takes a heartbeat only for its own signed sender', () => {
      assert.ok(accepted(validateHeartbeat(heartbeat(), sender)).peerId.equals(sender))
      assert.equal(refusal(validateHeartbeat(heartbeat(), other)), `heartbeat for ${sender.toString()} was sent by ${other.toString()}`)
      assert.equal(refusal(checkHeartbeat(heartbeat({ peerId: new Uint8Array() }))), 'heartbeat peer id is not a peer id')
      assert.equal(refusal(checkHeartbeat(heartbeat({ peerId: new Uint8Array([0x12, 0x20, 1, 2, 3]) }))), 'heartbeat peer id is not a peer id')
      assert.match(refusal(checkHeartbeat(new Uint8Array([0x0a, 0xff]))), /^undecodable heartbeat: /)
    })

    it('fits a heartbeat with every field at its limit within the total', () => {
      const everything = Heartbeat.encode({
        peerId: sender.toMultihash().bytes,
        freeBytes: Number.MAX_SAFE_INTEGER,
        usedBytes: Number.MAX_SAFE_INTEGER,
        chunkCount: Number.MAX_SAFE_INTEGER,
        raftRole: RaftRole.RAFT_ROLE_LEARNER,
        raftTerm: Number.MAX_SAFE_INTEGER,
        version: 'v'.repeat(MAX_VERSION_CHARS),
        apiAddress: 'a'.repeat(MAX_API_ADDRESS_CHARS),
        sequence: Number.MAX_SAFE_INTEGER,
        sentAtMs: Number.MAX_SAFE_INTEGER,
        startedAtMs: Number.MAX_SAFE_INTEGER
      })
      assert.ok(everything.byteLength <= MAX_HEARTBEAT_BYTES, `${everything.byteLength} bytes`)
      accepted(checkHeartbeat(everything))
    })
  })

  describe('chunk events', () => {
    const chunkEvent = (change: Partial<ChunkEvent> = {}): Uint8Array => ChunkEvent.encode({
      kind: ChunkEventKind.CHUNK_EVENT_KIND_STORED,
      cids: [cids[0]!.bytes as Uint8Array<ArrayBuffer>],
      sentAtMs: 1,
      ...change
    })
    const ids = (count: number): Array<Uint8Array<ArrayBuffer>> => cids.slice(0, count).map((c) => c.bytes as Uint8Array<ArrayBuffer>)
    const checkEvent = (bytes: Uint8Array): Validated<{ readonly cids: CID[], readonly kind: string, readonly sentAtMs: number }> => validateChunkEvent(bytes, sender)

    it(`takes ${MAX_CHUNK_EVENT_BYTES} bytes and refuses one more for its size`, () => {
      const full = chunkEvent({ cids: ids(MAX_CIDS_PER_CHUNK_EVENT) })
      assert.equal(accepted(checkEvent(padProtobuf(full, MAX_CHUNK_EVENT_BYTES))).cids.length, MAX_CIDS_PER_CHUNK_EVENT)
      assert.equal(refusal(checkEvent(padProtobuf(full, MAX_CHUNK_EVENT_BYTES + 1))), `chunk event of ${MAX_CHUNK_EVENT_BYTES + 1} bytes is over ${MAX_CHUNK_EVENT_BYTES}`)
    })

    it(`takes ${MAX_CIDS_PER_CHUNK_EVENT} ids and refuses one more`, () => {
      const full = accepted(checkEvent(chunkEvent({ cids: ids(MAX_CIDS_PER_CHUNK_EVENT) })))
      assert.deepEqual(full.cids.map(String), cids.slice(0, MAX_CIDS_PER_CHUNK_EVENT).map(String))
      const over = chunkEvent({ cids: ids(MAX_CIDS_PER_CHUNK_EVENT + 1) })
      assert.ok(over.byteLength < MAX_CHUNK_EVENT_BYTES, 'the event with one id too many is also too large: the count check would not be what refuses it')
      assert.equal(refusal(checkEvent(over)), 'undecodable chunk event: Decode error - repeated field "cids" had too many elements')
    })

    it('takes one id and refuses none', () => {
      assert.equal(accepted(checkEvent(chunkEvent({ cids: ids(1) }))).cids.length, 1)
      assert.equal(refusal(checkEvent(chunkEvent({ cids: [] }))), 'chunk event names no chunks')
    })

    it('takes stored and deleted, refuses the unknown kind, and the decoder refuses the next value', () => {
      assert.equal(accepted(checkEvent(chunkEvent({ kind: ChunkEventKind.CHUNK_EVENT_KIND_STORED }))).kind, 'stored')
      assert.equal(accepted(checkEvent(chunkEvent({ kind: ChunkEventKind.CHUNK_EVENT_KIND_DELETED }))).kind, 'deleted')
      assert.equal(refusal(checkEvent(chunkEvent({ kind: ChunkEventKind.CHUNK_EVENT_KIND_UNKNOWN }))), 'chunk event kind is unknown')
      assert.match(refusal(checkEvent(withVarintField(chunkEvent(), CHUNK_EVENT_KIND_FIELD, 3n))), new RegExp(`^undecodable chunk event${UNKNOWN_ENUM.source}`))
    })

    it('takes a time of 2^53 - 1 and refuses 2^53 in the decoder', () => {
      assert.equal(accepted(checkEvent(withVarintField(chunkEvent(), CHUNK_EVENT_SENT_AT_FIELD, MAX_SAFE))).sentAtMs, Number.MAX_SAFE_INTEGER)
      assert.match(refusal(checkEvent(withVarintField(chunkEvent(), CHUNK_EVENT_SENT_AT_FIELD, MAX_SAFE + 1n))), new RegExp(`^undecodable chunk event${UNSAFE_VARINT.source}`))
    })

    it('refuses an event with one id that is not a raw sha2-256 CIDv1 among valid ones', async () => {
      const dagPb = CID.create(1, 0x70, await sha256.digest(new Uint8Array([1]))).bytes as Uint8Array<ArrayBuffer>
      assert.equal(refusal(checkEvent(chunkEvent({ cids: [...ids(MAX_CIDS_PER_CHUNK_EVENT - 1), dagPb] }))), 'chunk event names an id that is not a raw sha2-256 CIDv1')
      assert.equal(refusal(checkEvent(chunkEvent({ cids: [new Uint8Array([1, 0x55, 0x12, 2, 0, 0])] }))), 'chunk event names an id that is not a raw sha2-256 CIDv1')
    })
  })
})
