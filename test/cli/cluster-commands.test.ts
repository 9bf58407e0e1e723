// Checks the cluster client commands (id, voters, voters add/remove, status) against a fake API
// that answers as the contract says: what each command requests (method, path, body), what it
// prints as text and as --json, that membership changes follow a NOT_LEADER answer to the leader
// exactly once, that malformed peer ids are usage errors before any request, and that status
// shows no cluster section for a single-node daemon (404 ROUTE_NOT_FOUND on /v1/cluster).
import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ClusterView } from '../../src/api/cluster-view.js'
import { loadOrCreateIdentity } from '../../src/p2p/identity.js'
import { clusterView, newPeerIds, peerView } from '../helpers/cluster-views.js'
import { errorReply, startFakeApi, type FakeApi } from '../helpers/fake-api.js'
import { runMain } from '../helpers/run-main.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

const NODE_STATUS = {
  nodeId: 'local@vm',
  version: '0.1.0',
  uptimeMs: 6000,
  dataDir: '/srv/jadfs',
  files: 3,
  logicalBytes: 2048,
  physicalBytes: 1024,
  chunks: 2,
  badChunks: 0,
  cachedChunks: 0,
  namespaceBytes: 512,
  namespaceLimitBytes: 1024,
  diskFreeBytes: 1024 ** 3,
  diskTotalBytes: 4 * 1024 ** 3,
  appliedIndex: 12
}

describe('CLI: cluster commands against a fake API', function () {
  this.timeout(20_000)
  let dir: string
  let a: string, b: string, c: string, d: string
  let view: ClusterView
  const apis: FakeApi[] = []
  const fake = async (...args: Parameters<typeof startFakeApi>): Promise<FakeApi> => {
    const api = await startFakeApi(...args)
    apis.push(api)
    return api
  }

  before(async () => {
    dir = await makeTempDir('cluster-cli')
    ;[a, b, c, d] = await newPeerIds(4) as [string, string, string, string]
    view = clusterView({
      peerId: a,
      leader: a,
      term: 7,
      role: 'leader',
      voters: [a, b, c],
      learners: [d],
      peers: [
        peerView(d, { state: 'suspect', member: 'learner', role: 'learner', apiUrl: null, lastSeenMsAgo: 9500 }),
        peerView(a, { state: 'self', role: 'leader', apiUrl: 'http://127.0.0.1:5080', lastSeenMsAgo: null }),
        peerView(c, { state: 'dead', apiUrl: 'http://127.0.0.1:5082', lastSeenMsAgo: 180_000 }),
        peerView(b, { apiUrl: 'http://127.0.0.1:5081' })
      ],
      replication: { queuedChunks: 4, missingCopies: 1 }
    })
  })
  afterEach(async () => { await Promise.all(apis.splice(0).map(async (api) => { await api.close() })) })
  after(async () => { await removeTempDir(dir) })

  describe('id', () => {
    it('prints the peer id, then one address per line; --json the whole answer', async () => {
      const answer = { peerId: a, addrs: [`/ip4/127.0.0.1/tcp/5081/p2p/${a}`, `/ip4/10.0.0.2/tcp/5081/p2p/${a}`] }
      const api = await fake((req) => req.method === 'GET' && req.url === '/v1/id' ? { json: answer } : undefined)
      const text = await runMain(['id'], { api: api.url })
      assert.equal(text.code, 0, text.stderr)
      assert.equal(text.stdout, `${a}\n${answer.addrs[0] ?? ''}\n${answer.addrs[1] ?? ''}\n`)
      const json = await runMain(['id', '--json', '--api', api.url])
      assert.deepEqual(JSON.parse(json.stdout), answer)
    })

    it('--data-dir reads identity.key without a daemon, and never creates one', async () => {
      const dataDir = path.join(dir, 'with-identity')
      const identity = await loadOrCreateIdentity(dataDir)
      const res = await runMain(['id', '--data-dir', dataDir], { api: 'http://127.0.0.1:9' })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout, `${identity.peerId.toString()}\n`)
      const relative = await runMain(['id', '--data-dir', 'with-identity', '--json'], { cwd: dir })
      assert.deepEqual(JSON.parse(relative.stdout), { peerId: identity.peerId.toString() })

      const empty = path.join(dir, 'empty')
      await mkdir(empty)
      const missing = await runMain(['id', '--data-dir', empty])
      assert.equal(missing.code, 1)
      assert.equal(missing.stderr, `jadfs: no peer identity in ${empty}: ${path.join(empty, 'identity.key')} does not exist (a daemon creates it the first time it starts there) (FILE_NOT_FOUND)\n`)
      assert.equal(existsSync(path.join(empty, 'identity.key')), false)
    })

    it('--data-dir with a corrupt identity.key is IDENTITY_CORRUPT, exit 1', async () => {
      const corrupt = path.join(dir, 'corrupt')
      await mkdir(corrupt)
      await writeFile(path.join(corrupt, 'identity.key'), 'not a key')
      const res = await runMain(['id', '--data-dir', corrupt])
      assert.equal(res.code, 1)
      assert.match(res.stderr, /identity file .* is corrupt .*\(IDENTITY_CORRUPT\)\n$/)
    })
  })

  it('id and voters name a daemon without the cluster API (404 ROUTE_NOT_FOUND) as such', async () => {
    const api = await fake(() => undefined)
    for (const [args, route] of [[['id'], 'GET /v1/id'], [['voters'], 'GET /v1/cluster'], [['voters', 'add', d], 'POST /v1/cluster/voters'], [['voters', 'remove', d], 'DELETE /v1/cluster/voters']] as const) {
      const res = await runMain(args, { api: api.url })
      assert.equal(res.code, 1)
      assert.equal(res.stderr, `jadfs: the daemon at ${api.url} has no ${route}: it is a single-node jadfs, older than the cluster API (ROUTE_NOT_FOUND)\n`)
    }
  })

  describe('voters', () => {
    it('lists leader, term and each member marked from the peers list', async () => {
      const api = await fake((req) => req.url === '/v1/cluster' ? { json: view } : undefined)
      const res = await runMain(['voters'], { api: api.url })
      assert.equal(res.code, 0, res.stderr)
      const lines = res.stdout.trimEnd().split('\n')
      assert.deepEqual(lines.slice(0, 4), [`leader    ${a}`, 'term      7', 'voters    3 (target 3)', 'learners  1'])
      assert.equal(lines[4], '')
      assert.match(lines[5] ?? '', /^MEMBER {3}PEER {2,}STATE$/)
      assert.deepEqual(lines.slice(6).map((l) => l.split(/ {2,}/)), [
        ['voter', a, 'alive, leader, answered this request'],
        ['voter', b, 'alive'],
        ['voter', c, 'dead'],
        ['learner', d, 'suspect']
      ])
    })

    it('marks a member missing from the peers list unknown, and says when there is no leader', async () => {
      const api = await fake(() => ({ json: { ...view, leader: null, peers: [] } }))
      const res = await runMain(['voters'], { api: api.url })
      assert.match(res.stdout, /^leader {4}none \(no leader elected yet\)$/m)
      assert.match(res.stdout, new RegExp(`^voter {4}${b} {2}unknown$`, 'm'))
    })

    it('--json gives leader, term, target and members with state', async () => {
      const api = await fake(() => ({ json: view }))
      const res = await runMain(['voters', '--json'], { api: api.url })
      assert.deepEqual(JSON.parse(res.stdout), {
        leader: a,
        term: 7,
        targetVoters: 3,
        voters: [{ peerId: a, state: 'alive', leader: true }, { peerId: b, state: 'alive', leader: false }, { peerId: c, state: 'dead', leader: false }],
        learners: [{ peerId: d, state: 'suspect', leader: false }]
      })
    })

    it('add POSTs the peer id and prints the new set', async () => {
      const api = await fake((req) => req.method === 'POST' && req.url === '/v1/cluster/voters' ? { json: { voters: [a, b, c, d], learners: [] } } : undefined)
      const res = await runMain(['voters', 'add', d], { api: api.url })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(api.requests.length, 1)
      assert.deepEqual(JSON.parse(api.requests[0]?.body.toString() ?? ''), { peerId: d })
      assert.equal(api.requests[0]?.headers['content-type'], 'application/json')
      assert.equal(res.stdout, `promoted ${d}\nvoter  ${a}\nvoter  ${b}\nvoter  ${c}\nvoter  ${d}\n`)
    })

    it('remove DELETEs /v1/cluster/voters/<peer>, taking --api and --json after the subcommand', async () => {
      const answer = { voters: [a, b], learners: [d] }
      const api = await fake((req) => req.method === 'DELETE' && req.url === `/v1/cluster/voters/${c}` ? { json: answer } : undefined)
      const res = await runMain(['voters', 'remove', c, '--api', api.url, '--json'], { api: 'http://127.0.0.1:9' })
      assert.equal(res.code, 0, res.stderr)
      assert.deepEqual(JSON.parse(res.stdout), answer)
      const text = await runMain(['voters', '--api', api.url, 'remove', c])
      assert.equal(text.stdout, `removed ${c}\nvoter    ${a}\nvoter    ${b}\nlearner  ${d}\n`)
    })

    it('repeats a change once at the leader a NOT_LEADER answer names', async () => {
      const leader = await fake((req) => req.method === 'POST' ? { json: { voters: [a, b, c, d], learners: [] } } : undefined)
      const follower = await fake(() => errorReply(503, 'NOT_LEADER', 'not the leader', { leaderPeerId: a, leaderApiUrl: leader.url }))
      const res = await runMain(['voters', 'add', d], { api: follower.url })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(follower.requests.length, 1)
      assert.equal(leader.requests.length, 1)
      assert.deepEqual(JSON.parse(leader.requests[0]?.body.toString() ?? ''), { peerId: d })
      assert.equal(res.stdout.split('\n')[0], `promoted ${d} (by the leader at ${leader.url})`)
    })

    it('sends the API token from --api-token-file or JADFS_API_TOKEN_FILE, also to the leader a NOT_LEADER names', async () => {
      const tokenFile = path.join(dir, 'api.token')
      await writeFile(tokenFile, 'token-for-the-cli-test-123\n')
      const leader = await fake((req) => req.method === 'POST' ? { json: { voters: [a, b, c, d], learners: [] } } : undefined)
      const follower = await fake(() => errorReply(503, 'NOT_LEADER', 'not the leader', { leaderPeerId: a, leaderApiUrl: leader.url }))
      const res = await runMain(['voters', 'add', d, '--api-token-file', tokenFile], { api: follower.url })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(follower.requests[0]?.headers.authorization, 'Bearer token-for-the-cli-test-123')
      assert.equal(leader.requests[0]?.headers.authorization, 'Bearer token-for-the-cli-test-123')
      const fromEnv = await runMain(['voters', 'add', d], { api: leader.url, cwd: dir, env: { JADFS_API_TOKEN_FILE: 'api.token' } })
      assert.equal(fromEnv.code, 0, fromEnv.stderr)
      assert.equal(leader.requests[1]?.headers.authorization, 'Bearer token-for-the-cli-test-123')
      const without = await runMain(['voters', 'add', d], { api: leader.url })
      assert.equal(without.code, 0, without.stderr)
      assert.equal(leader.requests[2]?.headers.authorization, undefined)
      const unusable = await runMain(['voters', 'add', d, '--api-token-file', path.join(dir, 'no-such-token')], { api: leader.url })
      assert.equal(unusable.code, 2)
      assert.match(unusable.stderr, /cannot read the API token .*no-such-token \(--api-token-file\)/)
      assert.equal(leader.requests.length, 3, 'a request was sent without the token that was asked for')
    })

    it('does not follow a second NOT_LEADER, and says when no leader is known', async () => {
      const moving = await fake(() => errorReply(503, 'NOT_LEADER', 'leadership moved', { leaderPeerId: b, leaderApiUrl: null }))
      const follower = await fake(() => errorReply(503, 'NOT_LEADER', 'not the leader', { leaderPeerId: a, leaderApiUrl: moving.url }))
      const twice = await runMain(['voters', 'remove', c], { api: follower.url })
      assert.equal(twice.code, 1)
      assert.equal(moving.requests.length, 1)
      assert.match(twice.stderr, /leadership moved \(NOT_LEADER\)\n$/)

      const leaderless = await fake(() => errorReply(503, 'NOT_LEADER', 'no leader', { leaderPeerId: null, leaderApiUrl: null }))
      const none = await runMain(['voters', 'add', d], { api: leaderless.url })
      assert.equal(none.code, 1)
      assert.equal(none.stderr, `jadfs: ${leaderless.url} is not the leader (no leader known yet; retry in a few seconds): no leader (NOT_LEADER)\n`)
      assert.equal(leaderless.requests.length, 1)
    })

    it('rejects malformed peer ids with exit 2 before any request', async () => {
      const api = await fake(() => ({ json: {} }))
      for (const bad of ['hello', `${a.slice(0, -2)}`, '12D3KooW', 'QmNotBase58Because0IsNotAllowedHereAtAllxxxxx', `${a}x`]) {
        const res = await runMain(['voters', 'add', bad], { api: api.url })
        assert.equal(res.code, 2, `${bad}: ${res.stderr}`)
        assert.match(res.stderr, /is not a peer id.*expected a libp2p peer id like 12D3KooW.*\(INVALID_ARGUMENT\)\n$/)
      }
      assert.equal(api.requests.length, 0)
      const missing = await runMain(['voters', 'remove'], { api: api.url })
      assert.equal(missing.code, 2)
    })
  })

  describe('status', () => {
    it('adds the cluster section and the peer table from a cluster daemon', async () => {
      const api = await fake((req) => req.url === '/v1/status' ? { json: NODE_STATUS } : req.url === '/v1/cluster' ? { json: view } : undefined)
      const res = await runMain(['status'], { api: api.url })
      assert.equal(res.code, 0, res.stderr)
      const [table, peers] = res.stdout.trimEnd().split('\n\n') as [string, string]
      const rows = table.split('\n')
      assert.equal(rows[0], 'node           local@vm (jadfs 0.1.0, up 6 s)')
      assert.equal(rows[7], 'namespace      512 B of 1.00 KiB (50.0 %)')
      assert.equal(rows[8], 'applied index  12')
      const short = (p: string): string => `…${p.slice(-8)}`
      assert.deepEqual(rows.slice(9), [
        `leader         ${a} (term 7)`,
        `this peer      ${a} (leader, voter)`,
        `voters         3 of target 3: ${short(a)} ${short(b)} ${short(c)}`,
        `learners       1: ${short(d)}`,
        'commit index   12 (applied 12)',
        'replication    4 chunk(s) queued, 1 missing copy'
      ])
      const peerLines = peers.split('\n').map((l) => l.split(/ {2,}/))
      assert.deepEqual(peerLines[0], ['PEER', 'STATE', 'ROLE', 'MEMBER', 'API', 'FREE', 'USED', 'CHUNKS', 'LAST SEEN'])
      assert.deepEqual(peerLines.slice(1).map((l) => l[0]), [a, b, c].sort().map(short).concat(short(d)))
      const rowOf = (p: string): string[] => peerLines.find((l) => l[0] === short(p)) ?? []
      assert.deepEqual(rowOf(a), [short(a), 'self', 'leader', 'voter', 'http://127.0.0.1:5080', '10.0 GiB', '5.00 MiB', '2', '-'])
      assert.deepEqual(rowOf(c), [short(c), 'dead', 'follower', 'voter', 'http://127.0.0.1:5082', '10.0 GiB', '5.00 MiB', '2', '3 min ago'])
      assert.deepEqual(rowOf(d), [short(d), 'suspect', 'learner', 'learner', '-', '10.0 GiB', '5.00 MiB', '2', '9.5 s ago'])
    })

    it('--json prints the statistics with the whole cluster view', async () => {
      const api = await fake((req) => req.url === '/v1/status' ? { json: NODE_STATUS } : req.url === '/v1/cluster' ? { json: view } : undefined)
      const res = await runMain(['status', '--json'], { api: api.url })
      assert.deepEqual(JSON.parse(res.stdout), { ...NODE_STATUS, cluster: view })
    })

    it('leaves out the namespace line for a daemon that does not report it (an older version)', async () => {
      const { namespaceBytes: _used, namespaceLimitBytes: _limit, ...older } = NODE_STATUS
      const api = await fake((req) => req.url === '/v1/status' ? { json: older } : undefined)
      const res = await runMain(['status'], { api: api.url })
      assert.equal(res.code, 0, res.stderr)
      assert.doesNotMatch(res.stdout, /namespace|NaN|undefined/)
      assert.match(res.stdout, /applied index {2}12/)
    })

    it('prints no cluster section for a single-node daemon (404 ROUTE_NOT_FOUND)', async () => {
      const api = await fake((req) => req.url === '/v1/status' ? { json: NODE_STATUS } : undefined)
      const res = await runMain(['status'], { api: api.url })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout.trimEnd().split('\n').length, 9)
      assert.doesNotMatch(res.stdout, /leader/)
      const json = await runMain(['status', '--json'], { api: api.url })
      assert.equal((JSON.parse(json.stdout) as { cluster: unknown }).cluster, null)
    })

    it('counts cached copies from reads on the chunks line, only when there are some', async () => {
      const line = async (cachedChunks: number): Promise<string | undefined> => {
        const api = await fake((req) => req.url === '/v1/status' ? { json: { ...NODE_STATUS, chunks: 4, badChunks: 1, cachedChunks } } : undefined)
        const res = await runMain(['status'], { api: api.url })
        assert.equal(res.code, 0, res.stderr)
        return res.stdout.split('\n').find((l) => l.startsWith('chunks'))
      }
      assert.match(await line(0) ?? '', /^chunks +4 \(1 bad\)$/)
      assert.match(await line(1) ?? '', /^chunks +4 \(1 bad, 1 cached copy from reads\)$/)
      assert.match(await line(3) ?? '', /^chunks +4 \(1 bad, 3 cached copies from reads\)$/)
    })

    it('fails with exit 1 when /v1/cluster fails otherwise', async () => {
      const api = await fake((req) => req.url === '/v1/status' ? { json: NODE_STATUS } : errorReply(503, 'SHUTTING_DOWN', 'stopping'))
      const res = await runMain(['status'], { api: api.url })
      assert.equal(res.code, 1)
      assert.equal(res.stderr, 'jadfs: stopping (SHUTTING_DOWN)\n')
    })
  })
})
