// Checks /jadfs/raft/1.0.0 between real libp2p hosts on loopback: messages arrive in order
// on a single long-lived stream; a peer cannot speak for another (a message whose `from` is
// not the sending peer, or whose `to` is not us, is dropped while the stream goes on, except
// a forwarded request of term 0, which keeps its origin's `from`); inbound streams are served
// up to exactly 2 per connection (a third is reset by libp2p), MAX_INBOUND_STREAMS_PER_PEER from
// one peer across its connections and maxInboundStreams in total (one more is refused, and
// another is taken once one ends; refusals are warned about once per REFUSAL_LOG_INTERVAL_MS
// at most, on a stepped clock); a
// local-only message type or an oversize message resets the stream before onMessage sees it;
// an oversize message is never sent; the limit is the same on both sides (a message of exactly
// maxMessageBytes is sent on the ordinary stream and accepted there, one byte more is reset,
// and a MsgSnap of one byte more is sent on the snapshot stream instead, as checked with a
// recording host; likewise maxSnapshotBytes on the snapshot stream); an unreachable peer is
// reported, and once it is back
// (same identity, same port) messages flow again; a resolved address naming another peer is
// refused; a burst larger than the queue keeps its newest messages; an 8 MiB snapshot arrives
// whole; a snapshot over maxMessageBytes travels alone on /jadfs/raft/1.0.0/snapshot (up to
// maxSnapshotBytes; a larger one is never sent; one more to a peer while another is on its
// way is dropped), and a receiver reads one such snapshot at a
// time, refusing another peer's meanwhile, and resets a snapshot stream that carries another
// type or a second message, or that its sender keeps open after its snapshot (within
// PEER_CLOSE_WAIT_MS, not the snapshot timeout, so the slot is free again); a large snapshot that the peer stops reading is given up at its
// deadline (the peer reported, the stream reset, the next snapshot sent), as is one to a peer
// that is down; an idle outbound stream is closed cleanly and replaced on demand; a silent inbound
// stream is reset at the idle timeout; a stopped transport sends nothing and its peers find
// it unreachable. Peers that lie are played by a bare host writing frames by hand.
import { strict as assert } from 'node:assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lp from 'it-length-prefixed'
import type { Connection, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { JadfsHost } from '../../../src/p2p/host.js'
import { FramedStream, PEER_CLOSE_WAIT_MS } from '../../../src/p2p/protocols/framed-stream.js'
import { MAX_INBOUND_STREAMS_PER_CONNECTION, MAX_INBOUND_STREAMS_PER_PEER, REFUSAL_LOG_INTERVAL_MS } from '../../../src/p2p/raft-transport/constants.js'
import { RAFT_PROTOCOL_ID, createLibp2pRaftTransport, encodeRaftMessage } from '../../../src/p2p/raft-transport/index.js'
import type { Libp2pRaftTransport, Libp2pRaftTransportInit, RaftTransportHost } from '../../../src/p2p/raft-transport/index.js'
import type { Message } from '../../../src/raft/types.js'
import { addrOf, startCluster, startHost, stopAll, waitFor } from '../helpers/hosts.js'
import { append, heartbeat, snapshot, snapshotOfEncodedBytes } from './raft-messages.js'

const id = (host: JadfsHost): string => host.peerId.toString()

describe('p2p raft transport: between real hosts', function () {
  this.timeout(20_000)
  let hosts: JadfsHost[] = []
  let transports: Libp2pRaftTransport[] = []

  afterEach(async () => {
    await Promise.all(transports.map(async (t) => { await t.stop() }))
    await stopAll(hosts)
    hosts = []
    transports = []
  })

  async function transportOn (host: JadfsHost, init: Partial<Libp2pRaftTransportInit> = {}): Promise<{ transport: Libp2pRaftTransport, received: Message[] }> {
    const received: Message[] = []
    const transport = createLibp2pRaftTransport({ host, onMessage: (m) => { received.push(m) }, ...init })
    await transport.start()
    transports.push(transport)
    return { transport, received }
  }

  /** Opens the protocol on `to` from a bare host and writes the given messages as frames. */
  async function writeRaw (from: JadfsHost, to: JadfsHost, messages: Message[]): Promise<FramedStream> {
    const signal = AbortSignal.timeout(5000)
    const stream = await from.dialProtocol(to.peerId, RAFT_PROTOCOL_ID, { signal })
    const framed = new FramedStream(stream, { maxReadBytes: 1, maxWriteBytes: 1024 * 1024 }, 'test writer')
    for (const m of messages) await framed.writeEncoded(encodeRaftMessage(m), signal)
    return framed
  }

  it('delivers messages in order on one stream', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: ta } = await transportOn(a)
    const { transport: tb, received } = await transportOn(b)
    const sent = Array.from({ length: 500 }, (_v, i) => append(id(a), id(b), i, 100))
    // in several batches, as the driver sends one batch per Ready
    for (let i = 0; i < sent.length; i += 50) ta.send(sent.slice(i, i + 50))
    await waitFor('500 messages at b', () => received.length === 500, 10_000, 10)
    // compared encoded: decoded bytes may be Buffer views of the socket's reads
    assert.deepEqual(received.map(encodeRaftMessage), sent.map(encodeRaftMessage))
    assert.equal(ta.counters().streamsOpened, 1)
    assert.equal(ta.counters().sent, 500)
    assert.equal(tb.counters().received, 500)
  })

  it('drops a message whose from is not the sending peer, or whose to is not the receiver', async () => {
    hosts = await startCluster(3)
    const [liar, receiver, other] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { transport, received } = await transportOn(receiver)
    const honest = heartbeat(id(liar), id(receiver), 9)
    await writeRaw(liar, receiver, [heartbeat(id(other), id(receiver), 7), heartbeat(id(liar), id(other), 8), honest])
    await waitFor('the honest message', () => received.length > 0)
    // the stream went on past the two bad messages, and only the honest one got through
    assert.deepEqual(received.map(encodeRaftMessage), [encodeRaftMessage(honest)])
    assert.equal(transport.counters().droppedInvalid, 2)
    assert.equal(transport.counters().inboundStreamsReset, 0)
  })

  it('delivers a forwarded proposal whose from is its origin, not the forwarding peer; other types stay strict', async () => {
    hosts = await startCluster(3)
    const [forwarder, receiver, origin] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { transport, received } = await transportOn(receiver)
    const proposal: Message = { ...heartbeat(id(origin), id(receiver)), type: 'MsgProp', term: 0, entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array([1]) }] }
    const staleTermProposal: Message = { ...proposal, term: 3 }
    await writeRaw(forwarder, receiver, [heartbeat(id(origin), id(receiver), 7), staleTermProposal, proposal])
    await waitFor('the forwarded proposal', () => received.length > 0)
    assert.deepEqual(received.map(encodeRaftMessage), [encodeRaftMessage(proposal)])
    assert.equal(transport.counters().droppedInvalid, 2)
  })

  it('bounds inbound streams per connection (2, by libp2p) and in total (maxInboundStreams), and takes another once one ends', async () => {
    hosts = await startCluster(4)
    const [receiver, p1, p2, p3] = hosts as [JadfsHost, JadfsHost, JadfsHost, JadfsHost]
    const { transport, received } = await transportOn(receiver, { maxInboundStreams: 4 })
    const commits = (): number[] => received.map((m) => m.commit)
    /** a new stream from `from` carrying one heartbeat; a refused one may fail as it is written */
    const open = async (from: JadfsHost, commit: number): Promise<FramedStream | undefined> =>
      await writeRaw(from, receiver, [heartbeat(id(from), id(receiver), commit)]).catch(() => undefined)
    const refused = async (what: string, framed: FramedStream | undefined): Promise<void> => {
      if (framed !== undefined) await waitFor(what, () => framed.stream.status !== 'open')
    }
    const raftStreamsFrom = (peer: JadfsHost): number => receiver.libp2p.getConnections(peer.peerId)
      .reduce((n, c) => n + c.streams.filter((s) => s.protocol === RAFT_PROTOCOL_ID).length, 0)

    // per connection: exactly 2 are served, a third is reset by libp2p (the total has room)
    const first = await open(p1, 1)
    await open(p1, 2)
    await waitFor('two streams from p1', () => received.length === 2)
    await refused('p1\'s third stream reset', await open(p1, 3))
    assert.equal(transport.counters().inboundStreamsRefused, 0)
    // in total: exactly 4 are served, a fifth (p3's first) is refused
    await open(p2, 4)
    await open(p2, 5)
    await waitFor('four streams', () => received.length === 4)
    await refused('p3\'s stream reset', await open(p3, 6))
    assert.equal(transport.counters().inboundStreamsRefused, 1)
    assert.deepEqual(commits().sort(), [1, 2, 4, 5])
    // one ends: p3 gets in
    assert.ok(first !== undefined)
    await first.closeWrite(AbortSignal.timeout(5000))
    await waitFor('p1\'s stream to end at the receiver', () => raftStreamsFrom(p1) === 1)
    await open(p3, 7)
    await waitFor('p3\'s heartbeat', () => commits().includes(7))
    assert.equal(transport.counters().inboundStreamsRefused, 1)
  })

  it('warns about refused streams once per REFUSAL_LOG_INTERVAL_MS at most, with how many were refused since', async () => {
    // the receiver serves one stream; a second peer's streams are refused one after another,
    // with the receiver's logger captured and its clock stepped by hand
    hosts = await startCluster(3)
    const [receiver, holder, refusedPeer] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const warnings: Array<Record<string, unknown>> = []
    const capturing: RaftTransportHost = {
      peerId: receiver.peerId,
      signal: receiver.signal,
      logger: { debug: () => {}, info: () => {}, warn: (fields, message) => { if (message.includes('refused an inbound stream')) warnings.push(fields) } },
      dialProtocol: async (target, protocol, options) => await receiver.dialProtocol(target, protocol, options),
      handle: async (protocol, handler, options) => { await receiver.handle(protocol, handler, options) },
      unhandle: async (protocol) => { await receiver.unhandle(protocol) }
    }
    let now = 1_000_000
    const { transport, received } = await transportOn(receiver, { host: capturing, maxInboundStreams: 1, nowMs: () => now })
    await writeRaw(holder, receiver, [heartbeat(id(holder), id(receiver), 1)])
    await waitFor('the holder\'s stream served', () => received.length === 1)
    const refuse = async (n: number): Promise<void> => {
      await writeRaw(refusedPeer, receiver, [heartbeat(id(refusedPeer), id(receiver), 2)]).catch(() => undefined)
      await waitFor(`refusal ${n}`, () => transport.counters().inboundStreamsRefused === n)
    }
    await refuse(1)
    await refuse(2)
    assert.equal(warnings.length, 1, 'two refusals in quick succession, one warning')
    assert.equal(warnings[0]?.refusedSinceLastWarning, 1)
    now += REFUSAL_LOG_INTERVAL_MS
    await refuse(3)
    assert.equal(warnings.length, 2)
    assert.equal(warnings[1]?.refusedSinceLastWarning, 2, 'the warning counts the refusal it did not log')
    assert.equal(received.length, 1)
  })

  it('bounds the inbound streams of one peer across its connections at MAX_INBOUND_STREAMS_PER_PEER, leaving the rest to others', async () => {
    // the peer opens 2 streams (libp2p's per-connection limit) on each of 3 connections; the
    // total (default 128) has room throughout, so only the per-peer bound can refuse
    hosts = await startCluster(3)
    const [receiver, greedy, other] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { transport, received } = await transportOn(receiver)
    const commits = (): number[] => received.map((m) => m.commit)
    const connections = [
      ...greedy.libp2p.getConnections(receiver.peerId).slice(0, 1),
      await greedy.libp2p.dial(addrOf(receiver), { force: true, signal: AbortSignal.timeout(5000) }),
      await greedy.libp2p.dial(addrOf(receiver), { force: true, signal: AbortSignal.timeout(5000) })
    ]
    assert.equal(new Set(connections.map((c) => c?.id)).size, 3, 'three distinct connections')
    /** a new stream on `connection` carrying one heartbeat from greedy */
    const open = async (connection: Connection | undefined, commit: number): Promise<FramedStream> => {
      assert.ok(connection !== undefined)
      const signal = AbortSignal.timeout(5000)
      const stream = await connection.newStream(RAFT_PROTOCOL_ID, { signal })
      const framed = new FramedStream(stream, { maxReadBytes: 1, maxWriteBytes: 1024 * 1024 }, 'test writer')
      await framed.writeEncoded(encodeRaftMessage(heartbeat(id(greedy), id(receiver), commit)), signal).catch(() => {})
      return framed
    }
    assert.equal(MAX_INBOUND_STREAMS_PER_PEER, 2 * MAX_INBOUND_STREAMS_PER_CONNECTION, 'the test fills two connections and starts a third')
    // exactly MAX_INBOUND_STREAMS_PER_PEER are served: two full connections
    const served: FramedStream[] = []
    for (let i = 0; i < MAX_INBOUND_STREAMS_PER_PEER; i++) {
      served.push(await open(connections[Math.floor(i / MAX_INBOUND_STREAMS_PER_CONNECTION)], i + 1))
    }
    await waitFor('greedy\'s streams served', () => received.length === MAX_INBOUND_STREAMS_PER_PEER)
    assert.equal(transport.counters().inboundStreamsRefused, 0)
    // one more, on a third connection libp2p would still allow, is refused
    const refused = await open(connections[2], 100)
    await waitFor('greedy\'s extra stream reset', () => refused.stream.status !== 'open')
    assert.equal(transport.counters().inboundStreamsRefused, 1)
    assert.ok(!commits().includes(100))
    // another peer still gets in
    await writeRaw(other, receiver, [heartbeat(id(other), id(receiver), 200)])
    await waitFor('the other peer\'s heartbeat', () => commits().includes(200))
    // once one of greedy's streams ends, it may open another
    const raftStreamsFromGreedy = (): number => receiver.libp2p.getConnections(greedy.peerId)
      .reduce((n, c) => n + c.streams.filter((s) => s.protocol === RAFT_PROTOCOL_ID).length, 0)
    await served[0]!.closeWrite(AbortSignal.timeout(5000))
    await waitFor('greedy\'s stream to end at the receiver', () => raftStreamsFromGreedy() === MAX_INBOUND_STREAMS_PER_PEER - 1)
    await open(connections[2], 300)
    await waitFor('greedy\'s next stream served', () => commits().includes(300))
    assert.equal(transport.counters().inboundStreamsRefused, 1)
  })

  it('resets the stream on a local-only message type, before the core could see it', async () => {
    hosts = await startCluster(2)
    const [liar, receiver] = hosts as [JadfsHost, JadfsHost]
    const { transport, received } = await transportOn(receiver)
    const framed = await writeRaw(liar, receiver, [{ ...heartbeat(id(liar), id(receiver)), type: 'MsgHup' }, heartbeat(id(liar), id(receiver))])
    await waitFor('the stream reset', () => transport.counters().inboundStreamsReset === 1)
    await waitFor('the writer to see the reset', () => framed.stream.status !== 'open')
    assert.equal(received.length, 0)
  })

  it('resets the stream on an oversize message and never sends one', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: tb, received } = await transportOn(b, { maxMessageBytes: 1024 })
    await writeRaw(a, b, [append(id(a), id(b), 1, 2000)])
    await waitFor('the stream reset', () => tb.counters().inboundStreamsReset === 1)
    assert.equal(received.length, 0)

    const { transport: ta } = await transportOn(a, { maxMessageBytes: 1024 })
    ta.send([append(id(a), id(b), 1, 2000), append(id(a), id(b), 2, 10)])
    await waitFor('the small message', () => received.length === 1)
    assert.equal(received[0]!.index, 2)
    assert.equal(ta.counters().droppedOversize, 1)
  })

  it('a MsgSnap of exactly maxMessageBytes goes on the ordinary stream, one byte more on the snapshot stream, and both arrive', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const limits = { maxMessageBytes: 64 * 1024, maxSnapshotBytes: 256 * 1024 }
    // which protocol each message was sent on, as the sender chose it
    const dialed: string[] = []
    const recording: RaftTransportHost = {
      peerId: a.peerId,
      signal: a.signal,
      logger: a.logger,
      dialProtocol: async (target, protocol, options) => {
        dialed.push(protocol)
        return await a.dialProtocol(target, protocol, options)
      },
      handle: async (protocol, handler, options) => { await a.handle(protocol, handler, options) },
      unhandle: async (protocol) => { await a.unhandle(protocol) }
    }
    const { transport: ta } = await transportOn(a, { ...limits, host: recording })
    const { transport: tb, received } = await transportOn(b, limits)
    const atLimit = snapshotOfEncodedBytes(id(a), id(b), 7, limits.maxMessageBytes)
    const overLimit = snapshotOfEncodedBytes(id(a), id(b), 8, limits.maxMessageBytes + 1)
    ta.send([atLimit])
    await waitFor('the snapshot at the limit', () => received.length === 1)
    assert.deepEqual(dialed, [RAFT_PROTOCOL_ID])
    ta.send([overLimit])
    await waitFor('the snapshot one byte over', () => received.length === 2)
    assert.deepEqual(dialed, [RAFT_PROTOCOL_ID, `${RAFT_PROTOCOL_ID}/snapshot`])
    assert.deepEqual(received.map(encodeRaftMessage), [atLimit, overLimit].map(encodeRaftMessage))
    assert.equal(ta.counters().droppedOversize, 0)
    // the snapshot stream's own limit: exactly maxSnapshotBytes is sent, one byte more is not
    const atSnapshotLimit = snapshotOfEncodedBytes(id(a), id(b), 9, limits.maxSnapshotBytes)
    ta.send([atSnapshotLimit])
    await waitFor('the snapshot at maxSnapshotBytes', () => received.length === 3)
    ta.send([snapshotOfEncodedBytes(id(a), id(b), 10, limits.maxSnapshotBytes + 1)])
    assert.equal(ta.counters().droppedOversize, 1)
    assert.deepEqual(received.map((m) => m.snapshot?.metadata.index), [7, 8, 9])
    assert.equal(tb.counters().inboundStreamsReset, 0)
  })

  it('the ordinary stream accepts a message of exactly maxMessageBytes and is reset by one of a byte more', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const maxMessageBytes = 64 * 1024
    const { transport: tb, received } = await transportOn(b, { maxMessageBytes })
    const atLimit = snapshotOfEncodedBytes(id(a), id(b), 7, maxMessageBytes)
    await writeRaw(a, b, [atLimit])
    await waitFor('the message at the limit', () => received.length === 1)
    assert.equal(tb.counters().inboundStreamsReset, 0)
    const framed = await writeRaw(a, b, [snapshotOfEncodedBytes(id(a), id(b), 8, maxMessageBytes + 1), heartbeat(id(a), id(b))])
    await waitFor('the stream reset', () => tb.counters().inboundStreamsReset === 1)
    await waitFor('the writer to see the reset', () => framed.stream.status !== 'open')
    assert.equal(received.length, 1)
  })

  it('the snapshot stream accepts a snapshot of exactly maxSnapshotBytes and is reset by one of a byte more', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const limits = { maxMessageBytes: 4096, maxSnapshotBytes: 64 * 1024 }
    const { transport: tb, received } = await transportOn(b, limits)
    const signal = (): AbortSignal => AbortSignal.timeout(10_000)
    const sendAlone = async (m: Message): Promise<void> => {
      const stream = await a.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
      stream.send(lp.encode.single(encodeRaftMessage(m), { maxDataLength: 2 * limits.maxSnapshotBytes }).subarray())
      await stream.close({ signal: signal() }).catch(() => {})
    }
    await sendAlone(snapshotOfEncodedBytes(id(a), id(b), 7, limits.maxSnapshotBytes))
    await waitFor('the snapshot at the limit', () => received.length === 1)
    await sendAlone(snapshotOfEncodedBytes(id(a), id(b), 8, limits.maxSnapshotBytes + 1))
    await waitFor('the stream reset', () => tb.counters().inboundStreamsReset === 1)
    assert.deepEqual(received.map((m) => m.snapshot?.metadata.index), [7])
  })

  it('sends a snapshot over maxMessageBytes alone on its own stream, up to maxSnapshotBytes', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const limits = { maxMessageBytes: 4096, maxSnapshotBytes: 256 * 1024 }
    const { transport: ta } = await transportOn(a, limits)
    const { transport: tb, received } = await transportOn(b, limits)
    const large = snapshot(id(a), id(b), 7, 200 * 1024)
    ta.send([large, append(id(a), id(b), 1, 100)])
    await waitFor('the snapshot and the append at b', () => received.length === 2, 10_000, 10)
    const got = received.find((m) => m.type === 'MsgSnap')
    assert.ok(got !== undefined)
    assert.deepEqual(encodeRaftMessage(got), encodeRaftMessage(large))
    assert.equal(tb.counters().inboundStreamsReset, 0)
    // a second large snapshot to the same peer while one is on its way is dropped
    ta.send([snapshot(id(a), id(b), 9, 200 * 1024), snapshot(id(a), id(b), 10, 200 * 1024)])
    await waitFor('the first of them', () => received.some((m) => m.snapshot?.metadata.index === 9))
    assert.equal(ta.counters().droppedOverflow, 1)
    // past maxSnapshotBytes: never sent, counted and logged
    ta.send([snapshot(id(a), id(b), 8, 300 * 1024), append(id(a), id(b), 2, 100)])
    await waitFor('the second append', () => received.some((m) => m.type === 'MsgApp' && m.index === 2))
    assert.equal(ta.counters().droppedOversize, 1)
    assert.deepEqual(received.filter((m) => m.type === 'MsgSnap').map((m) => m.snapshot?.metadata.index), [7, 9])
  })

  it('gives up a large snapshot at its deadline when the peer stops reading, reports the peer, and sends the next one', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    // b takes the stream and never reads: past the yamux window (4 MiB) the sender waits for room
    const held: Array<{ status: string }> = []
    await b.handle(`${RAFT_PROTOCOL_ID}/snapshot`, (stream) => { stream.pause(); held.push(stream) }, { maxInboundStreams: 2 })
    const unreachable: Array<{ nodeId: string, atMs: number }> = []
    const timeoutMs = 1500
    const { transport: ta } = await transportOn(a, {
      maxMessageBytes: 4096,
      maxSnapshotBytes: 16 * 1024 * 1024,
      snapshotTimeoutMs: timeoutMs,
      onUnreachable: (nodeId) => { unreachable.push({ nodeId, atMs: performance.now() }) }
    })
    const sentAtMs = performance.now()
    ta.send([snapshot(id(a), id(b), 7, 10 * 1024 * 1024)])
    await waitFor('b reported unreachable', () => unreachable.length > 0, 10_000, 10)
    const waitedMs = unreachable[0]!.atMs - sentAtMs
    assert.equal(unreachable[0]!.nodeId, id(b))
    assert.ok(waitedMs >= timeoutMs - 50 && waitedMs < timeoutMs + 3000, `gave up after ${Math.round(waitedMs)} ms, deadline ${timeoutMs} ms`)
    assert.equal(ta.counters().failures, 1)
    assert.equal(ta.counters().sent, 0)
    // the abandoned stream is reset, not left open on b
    await waitFor('the held stream reset', () => held[0]?.status !== 'open', 5000, 10)

    // the slot for b is free again: with the real protocol on b, the next snapshot arrives
    await b.unhandle(`${RAFT_PROTOCOL_ID}/snapshot`)
    const { received } = await transportOn(b, { maxMessageBytes: 4096, maxSnapshotBytes: 16 * 1024 * 1024 })
    ta.send([snapshot(id(a), id(b), 8, 300 * 1024)])
    await waitFor('the next snapshot at b', () => received.some((m) => m.snapshot?.metadata.index === 8), 10_000, 10)
    assert.equal(ta.counters().droppedOverflow, 0)
  })

  it('reports a peer that cannot be reached for a large snapshot', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const addrB = addrOf(b)
    const nodeB = id(b)
    const unreachable: string[] = []
    const { transport: ta } = await transportOn(a, {
      maxMessageBytes: 4096,
      resolvePeer: (nodeId) => nodeId === nodeB ? addrB : undefined,
      onUnreachable: (nodeId) => { unreachable.push(nodeId) }
    })
    await b.stop()
    ta.send([snapshot(id(a), nodeB, 7, 100 * 1024)])
    await waitFor('b reported unreachable', () => unreachable.length > 0, 15_000, 10)
    assert.deepEqual([...new Set(unreachable)], [nodeB])
    assert.equal(ta.counters().failures, 1)
    assert.equal(ta.counters().sent, 0)
  })

  it('receives one large snapshot at a time and refuses another peer\'s meanwhile', async () => {
    hosts = await startCluster(3)
    const [a, b, c] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { transport: tb, received } = await transportOn(b, { maxMessageBytes: 4096, maxSnapshotBytes: 256 * 1024 })
    const signal = (): AbortSignal => AbortSignal.timeout(10_000)
    const frameOf = (from: JadfsHost, index: number): Uint8Array =>
      lp.encode.single(encodeRaftMessage(snapshot(id(from), id(b), index, 100 * 1024)), { maxDataLength: 256 * 1024 }).subarray()
    const frame = frameOf(a, 3)
    // a sends half its frame and waits: b is now reading it
    const first = await a.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    first.send(frame.subarray(0, 50 * 1024))
    await new Promise((resolve) => setTimeout(resolve, 200))
    // c's snapshot meanwhile is reset as soon as b sees its stream
    const second = await c.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    await waitFor('the second stream refused', () => tb.counters().inboundStreamsRefused === 1)
    await waitFor('c to see the reset', () => second.status !== 'open')
    assert.equal(tb.counters().inboundStreamsReset, 0, 'the stream being read is untouched')
    assert.equal(received.length, 0)
    first.send(frame.subarray(50 * 1024))
    await first.close({ signal: signal() })
    await waitFor('a\'s snapshot delivered', () => received.length === 1)
    assert.equal(received[0]?.snapshot?.metadata.index, 3)
    // once it is read, the next one is taken
    const third = await c.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    third.send(frameOf(c, 4))
    await third.close({ signal: signal() })
    await waitFor('c\'s snapshot delivered', () => received.length === 2)
    assert.equal(received[1]?.snapshot?.metadata.index, 4)
  })

  it('a snapshot sender that keeps its stream open after the snapshot loses the slot within PEER_CLOSE_WAIT_MS, not the snapshot timeout', async () => {
    hosts = await startCluster(3)
    const [a, b, c] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { transport: tb, received } = await transportOn(b, { maxMessageBytes: 4096, maxSnapshotBytes: 256 * 1024, snapshotTimeoutMs: 120_000 })
    const signal = (): AbortSignal => AbortSignal.timeout(10_000)
    const frameOf = (from: JadfsHost, index: number): Uint8Array =>
      lp.encode.single(encodeRaftMessage(snapshot(id(from), id(b), index, 10 * 1024)), { maxDataLength: 256 * 1024 }).subarray()
    const held = await a.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    held.send(frameOf(a, 3))
    await waitFor('a\'s snapshot delivered', () => received.length === 1)
    const deliveredAt = Date.now()
    // a never closes: b resets the stream after the short wait and frees the slot
    await waitFor('the held stream reset', () => held.status !== 'open', PEER_CLOSE_WAIT_MS + 5000)
    const heldMs = Date.now() - deliveredAt
    assert.ok(heldMs >= PEER_CLOSE_WAIT_MS - 500, `reset after ${heldMs} ms, before the sender had its time to close`)
    assert.equal(tb.counters().inboundStreamsReset, 1)
    const next = await c.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    next.send(frameOf(c, 4))
    await next.close({ signal: signal() })
    await waitFor('c\'s snapshot delivered', () => received.length === 2)
  })

  it('the snapshot stream carries one snapshot: another type, or a second message, resets it undelivered', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: tb, received } = await transportOn(b, { maxMessageBytes: 4096, maxSnapshotBytes: 256 * 1024 })
    const signal = (): AbortSignal => AbortSignal.timeout(10_000)
    const frameOf = (m: Parameters<typeof encodeRaftMessage>[0]): Uint8Array => lp.encode.single(encodeRaftMessage(m), { maxDataLength: 256 * 1024 }).subarray()
    // an oversize append on the snapshot protocol
    const appendStream = await a.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    appendStream.send(frameOf(append(id(a), id(b), 2, 100 * 1024)))
    await waitFor('the append stream reset', () => tb.counters().inboundStreamsReset === 1)
    // a snapshot, then a second message on the same stream
    const twice = await a.dialProtocol(addrOf(b), `${RAFT_PROTOCOL_ID}/snapshot`, { signal: signal() })
    twice.send(frameOf(snapshot(id(a), id(b), 5, 10 * 1024)))
    twice.send(frameOf(snapshot(id(a), id(b), 6, 10 * 1024)))
    await waitFor('the second message reset the stream', () => tb.counters().inboundStreamsReset === 2)
    assert.deepEqual(received.map((m) => [m.type, m.snapshot?.metadata.index]), [['MsgSnap', 5]], 'only the first snapshot is delivered')
  })

  it('reports an unreachable peer, then reconnects once it is back', async () => {
    const keyB: PrivateKey = await generateKeyPair('Ed25519')
    hosts = await startCluster(1)
    const a = hosts[0]!
    let b = await startHost({ privateKey: keyB })
    hosts.push(b)
    const addrB: Multiaddr = addrOf(b)
    const nodeB = id(b)
    const unreachable: string[] = []
    const { transport: ta } = await transportOn(a, {
      resolvePeer: (nodeId) => nodeId === nodeB ? addrB : undefined,
      onUnreachable: (nodeId) => { unreachable.push(nodeId) },
      maxReconnectBackoffMs: 200
    })
    await b.stop()
    ta.send([heartbeat(id(a), nodeB)])
    await waitFor('b reported unreachable', () => unreachable.length > 0)
    assert.deepEqual([...new Set(unreachable)], [nodeB])
    assert.ok(ta.counters().droppedUnreachable >= 1)

    // the same identity on the same port, as a restarted daemon would be
    b = await startHost({ privateKey: keyB, listen: [addrB.decapsulateCode(421).toString()] })
    hosts.push(b)
    const { received } = await transportOn(b)
    await waitFor('a heartbeat through a new stream', () => {
      ta.send([heartbeat(id(a), nodeB, 42)])
      return received.length > 0
    }, 10_000, 50)
    assert.equal(received[0]!.commit, 42)
  })

  it('refuses a resolved address that names another peer', async () => {
    hosts = await startCluster(3)
    const [a, b, c] = hosts as [JadfsHost, JadfsHost, JadfsHost]
    const { received: atB } = await transportOn(b)
    const { received: atC } = await transportOn(c)
    const { transport: ta } = await transportOn(a, { resolvePeer: () => addrOf(c) })
    ta.send([heartbeat(id(a), id(b))])
    ta.send([heartbeat(id(a), id(c))])
    await waitFor('the heartbeat to c', () => atC.length === 1)
    assert.equal(ta.counters().droppedUnresolved, 1)
    assert.equal(atB.length, 0)
  })

  it('closes an idle outbound stream cleanly and opens a new one for the next message', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: ta } = await transportOn(a, { outboundIdleCloseMs: 100 })
    const { transport: tb, received } = await transportOn(b)
    ta.send([heartbeat(id(a), id(b), 1)])
    await waitFor('the first heartbeat', () => received.length === 1)
    await waitFor('the idle stream to close on both sides', () =>
      a.libp2p.getConnections(b.peerId).every((c) => c.streams.every((s) => s.protocol !== RAFT_PROTOCOL_ID)) &&
      b.libp2p.getConnections(a.peerId).every((c) => c.streams.every((s) => s.protocol !== RAFT_PROTOCOL_ID)))
    ta.send([heartbeat(id(a), id(b), 2)])
    await waitFor('the second heartbeat', () => received.length === 2)
    assert.equal(ta.counters().streamsOpened, 2)
    assert.equal(ta.counters().failures, 0)
    assert.equal(tb.counters().inboundStreamsReset, 0)
  })

  it('resets an inbound stream that stays silent past the idle timeout', async () => {
    hosts = await startCluster(2)
    const [silent, receiver] = hosts as [JadfsHost, JadfsHost]
    const { transport } = await transportOn(receiver, { inboundIdleTimeoutMs: 200 })
    const framed = await writeRaw(silent, receiver, [])
    await waitFor('the silent stream reset', () => transport.counters().inboundStreamsReset === 1, 5000, 20)
    await waitFor('the opener to see it', () => framed.stream.status !== 'open', 5000, 20)
  })

  it('after stop, sends nothing and refuses new streams, so its peers see it unreachable', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const unreachable: string[] = []
    const { transport: ta, received: atA } = await transportOn(a, { onUnreachable: (n) => { unreachable.push(n) } })
    const { transport: tb, received: atB } = await transportOn(b)
    ta.send([heartbeat(id(a), id(b))])
    await waitFor('a first heartbeat', () => atB.length === 1)
    await tb.stop()
    tb.send([heartbeat(id(b), id(a))])
    // a message written just before b's reset reaches a is lost unreported (there are no
    // acknowledgements; Raft resends), so a keeps sending as a leader would
    await waitFor('b reported unreachable', () => {
      ta.send([heartbeat(id(a), id(b))])
      return unreachable.includes(id(b))
    })
    assert.equal(atA.length, 0)
    assert.equal(atB.length, 1)
    assert.equal(tb.counters().sent, 0)
  })

  it('while the stream opens, keeps the newest messages of a burst and drops the oldest', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: ta } = await transportOn(a, { maxQueuedMessagesPerPeer: 100 })
    const { received } = await transportOn(b)
    // one synchronous burst: the stream is still opening, so only the queue can hold it
    ta.send(Array.from({ length: 1000 }, (_v, i) => append(id(a), id(b), i)))
    await waitFor('the queue to drain', () => ta.counters().sent + ta.counters().droppedOverflow === 1000)
    await waitFor('what was sent to arrive', () => received.length === ta.counters().sent)
    assert.equal(ta.counters().droppedOverflow, 900)
    assert.deepEqual(received.map((m) => m.index), Array.from({ length: 100 }, (_v, i) => 900 + i))
  })

  it('carries a large snapshot whole', async () => {
    hosts = await startCluster(2)
    const [a, b] = hosts as [JadfsHost, JadfsHost]
    const { transport: ta } = await transportOn(a)
    const { received } = await transportOn(b)
    const data = new Uint8Array(8 * 1024 * 1024)
    for (let i = 0; i < data.byteLength; i += 4096) data[i] = (i / 4096) & 0xff
    const snap: Message = {
      ...heartbeat(id(a), id(b)),
      type: 'MsgSnap',
      snapshot: { metadata: { index: 900, term: 3, confState: { voters: [id(a), id(b)], learners: [] } }, data }
    }
    ta.send([snap, heartbeat(id(a), id(b), 5)])
    await waitFor('the snapshot and the heartbeat after it', () => received.length === 2)
    assert.equal(received[0]!.type, 'MsgSnap')
    assert.ok(Buffer.from(received[0]!.snapshot!.data).equals(data))
    assert.deepEqual(received[0]!.snapshot!.metadata, snap.snapshot!.metadata)
    assert.equal(received[1]!.commit, 5)
  })
})
