// Checks the cluster routes with app.inject() around a fake ClusterControl that records its
// calls: GET /v1/id and GET /v1/cluster return what the control says; POST /v1/cluster/voters
// {"peerId"} promotes and DELETE /v1/cluster/voters/<id> removes, answering {voters, learners};
// malformed JSON, a missing or non-string peerId and a body one byte over
// MAX_CLUSTER_BODY_BYTES are 400 INVALID_ARGUMENT without reaching the control (a body at the
// limit does reach it); a NOT_LEADER JadfsError from the control becomes 503 with its details
// (the leader to ask); without a cluster the routes do not exist.
import { strict as assert } from 'node:assert'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { buildApiApp } from '../../src/api/app.js'
import { MAX_CLUSTER_BODY_BYTES } from '../../src/api/routes/cluster-routes.js'
import type { ClusterView, MembershipView as MembersView } from '../../src/api/cluster-view.js'
import type { ClusterControl } from '../../src/cluster/cluster-control.js'
import { JadfsError } from '../../src/errors.js'
import { FakeFileService } from './fake-file-service.js'

const SELF = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const LEARNER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

const VIEW: ClusterView = {
  peerId: SELF,
  leader: SELF,
  term: 4,
  role: 'leader',
  commitIndex: 17,
  appliedIndex: 17,
  targetVoters: 3,
  voters: [SELF],
  learners: [LEARNER],
  peers: [{ peerId: SELF, state: 'self', apiUrl: 'http://127.0.0.1:5080', role: 'leader', term: 4, freeBytes: 10, usedBytes: 5, chunks: 2, version: '0.1.0', lastSeenMsAgo: null, member: 'voter' }],
  replication: { queuedChunks: 1, missingCopies: 2 }
}

class FakeCluster implements ClusterControl {
  readonly calls: string[] = []
  failWith: Error | undefined
  id (): { peerId: string, addrs: string[] } {
    return { peerId: SELF, addrs: [`/ip4/127.0.0.1/tcp/5081/p2p/${SELF}`] }
  }

  view (): ClusterView {
    return VIEW
  }

  async addVoter (peerId: string): Promise<MembersView> {
    this.calls.push(`add ${peerId}`)
    if (this.failWith !== undefined) throw this.failWith
    return { voters: [SELF, peerId], learners: [] }
  }

  async removeVoter (peerId: string): Promise<MembersView> {
    this.calls.push(`remove ${peerId}`)
    if (this.failWith !== undefined) throw this.failWith
    return { voters: [SELF], learners: [] }
  }
}

function makeApp (cluster: ClusterControl | undefined): FastifyInstance {
  return buildApiApp({
    files: new FakeFileService(),
    logger: pino({ level: 'silent' }),
    metricsRegistry: new Registry(),
    maxFileSizeBytes: 10 * 1024 * 1024,
    ...(cluster === undefined ? {} : { cluster })
  })
}

interface ErrorReply { error: { code: string, message: string, details?: Record<string, unknown> } }

/** {"peerId":"<id>"} padded with spaces to exactly `bytes` bytes */
function paddedBody (peerId: string, bytes: number): string {
  const json = JSON.stringify({ peerId })
  assert.ok(bytes >= json.length)
  return json + ' '.repeat(bytes - json.length)
}

describe('API cluster routes (inject)', () => {
  let cluster: FakeCluster
  let app: FastifyInstance
  beforeEach(() => {
    cluster = new FakeCluster()
    app = makeApp(cluster)
  })
  afterEach(async () => { await app.close() })

  const postVoter = async (payload: string, contentType = 'application/json'): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> =>
    await app.inject({ method: 'POST', url: '/v1/cluster/voters', payload, headers: { 'content-type': contentType } })

  it('GET /v1/id answers the peer id and its addresses', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/id' })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { peerId: SELF, addrs: [`/ip4/127.0.0.1/tcp/5081/p2p/${SELF}`] })
  })

  it('GET /v1/cluster answers the cluster view', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/cluster' })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), VIEW)
  })

  it('POST /v1/cluster/voters promotes the peer named in the body', async () => {
    const res = await postVoter(JSON.stringify({ peerId: LEARNER }))
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { voters: [SELF, LEARNER], learners: [] })
    assert.deepEqual(cluster.calls, [`add ${LEARNER}`])
    // the body is read whatever its content type
    assert.equal((await postVoter(JSON.stringify({ peerId: LEARNER }), 'text/plain')).statusCode, 200)
  })

  it('DELETE /v1/cluster/voters/<id> removes that peer', async () => {
    const res = await app.inject({ method: 'DELETE', url: `/v1/cluster/voters/${LEARNER}` })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { voters: [SELF], learners: [] })
    assert.deepEqual(cluster.calls, [`remove ${LEARNER}`])
  })

  it('refuses malformed JSON, a missing or non-string peerId, and no body, with 400 INVALID_ARGUMENT', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"peerId": ', /not JSON/],
      ['', /not JSON/],
      ['{}', /must be \{"peerId"/],
      ['null', /must be \{"peerId"/],
      ['[]', /must be \{"peerId"/],
      ['{"peerId": 42}', /must be \{"peerId"/],
      ['{"peer": "x"}', /must be \{"peerId"/]
    ]
    for (const [body, message] of cases) {
      const res = await postVoter(body)
      assert.equal(res.statusCode, 400, body)
      const reply = res.json() as ErrorReply
      assert.equal(reply.error.code, 'INVALID_ARGUMENT', body)
      assert.match(reply.error.message, message, body)
    }
    const none = await app.inject({ method: 'POST', url: '/v1/cluster/voters' })
    assert.equal(none.statusCode, 400)
    assert.deepEqual(cluster.calls, [])
  })

  it('takes a body of MAX_CLUSTER_BODY_BYTES and refuses one a byte longer', async () => {
    const atLimit = await postVoter(paddedBody(LEARNER, MAX_CLUSTER_BODY_BYTES))
    assert.equal(atLimit.statusCode, 200)
    assert.deepEqual(cluster.calls, [`add ${LEARNER}`])

    const over = await postVoter(paddedBody(LEARNER, MAX_CLUSTER_BODY_BYTES + 1))
    assert.equal(over.statusCode, 400)
    const reply = over.json() as ErrorReply
    assert.equal(reply.error.code, 'INVALID_ARGUMENT')
    assert.match(reply.error.message, new RegExp(`larger than ${MAX_CLUSTER_BODY_BYTES} bytes`))
    assert.equal(cluster.calls.length, 1)
  })

  it('answers NOT_LEADER from the control with 503 and its details, on both voter routes', async () => {
    const details = { leaderPeerId: LEARNER, leaderApiUrl: 'http://10.0.0.2:5080' }
    cluster.failWith = new JadfsError('NOT_LEADER', `this peer is not the leader; ask the leader ${LEARNER} at http://10.0.0.2:5080`, { details })
    const responses = [
      await postVoter(JSON.stringify({ peerId: LEARNER })),
      await app.inject({ method: 'DELETE', url: `/v1/cluster/voters/${LEARNER}` })
    ]
    for (const res of responses) {
      assert.equal(res.statusCode, 503)
      assert.deepEqual(res.json(), { error: { code: 'NOT_LEADER', message: cluster.failWith.message, details } })
    }
    // no leader known: the details say so with nulls
    const unknown = { leaderPeerId: null, leaderApiUrl: null }
    cluster.failWith = new JadfsError('NOT_LEADER', 'this peer is not the leader; no leader is known right now', { details: unknown })
    const res = await app.inject({ method: 'DELETE', url: `/v1/cluster/voters/${LEARNER}` })
    assert.equal(res.statusCode, 503)
    assert.deepEqual((res.json() as ErrorReply).error.details, unknown)
  })

  it('has no cluster routes on a node without a cluster', async () => {
    const plain = makeApp(undefined)
    try {
      for (const [method, url] of [['GET', '/v1/id'], ['GET', '/v1/cluster'], ['POST', '/v1/cluster/voters'], ['DELETE', `/v1/cluster/voters/${LEARNER}`]] as const) {
        const res = await plain.inject({ method, url })
        assert.equal(res.statusCode, 404, url)
        assert.equal((res.json() as ErrorReply).error.code, 'ROUTE_NOT_FOUND')
      }
    } finally {
      await plain.close()
    }
  })
})
