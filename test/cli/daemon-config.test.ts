// Checks daemon configuration: flags win over JADFS_* variables, which win over defaults (an
// empty variable counts as unset, an empty flag as a value); sizes, durations and listen
// addresses parse; and each invalid value is one INVALID_CONFIG error naming the option and
// where the value came from. The cluster options too: --listen, --announce and --join as
// arrays from repeated flags or comma/space lists in JADFS_LISTEN etc., each address parsed as
// a multiaddr; --voters odd from 1 to 7 (even counts refused with the reason); --replication
// 1..16, --snapshot-every 1..10000000 and both ends of each range; --heartbeat-interval and
// --replace-dead-voter-after positive durations.
import { strict as assert } from 'node:assert'
import { resolveDaemonConfig } from '../../src/config/daemon-config.js'
import { parseDurationMs } from '../../src/config/parse-duration.js'
import { parseListenAddress } from '../../src/config/listen-address.js'
import { parseSizeBytes } from '../../src/config/parse-size.js'
import { JadfsError } from '../../src/errors.js'

describe('daemon config', () => {
  it('uses the documented defaults', () => {
    const config = resolveDaemonConfig({}, {}, '/home/u')
    assert.equal(config.dataDir, '/home/u/.jadfs')
    assert.deepEqual(config.apiListen, { host: '127.0.0.1', port: 5080 })
    assert.equal(config.chunkSizeBytes, 64 * 1024 * 1024)
    assert.equal(config.logLevel, 'info')
    assert.equal(config.gcGraceMs, 15 * 60_000)
    assert.equal(config.gcIntervalMs, 10 * 60_000)
  })

  it('takes --gc-interval as a duration, 0s turning scheduled collection off', () => {
    assert.equal(resolveDaemonConfig({ gcInterval: '0s' }, {}, '/').gcIntervalMs, 0)
    assert.equal(resolveDaemonConfig({}, { JADFS_GC_INTERVAL: '90s' }, '/').gcIntervalMs, 90_000)
    assert.throws(() => resolveDaemonConfig({ gcInterval: 'often' }, {}, '/'), /--gc-interval: "often": expected a duration/)
  })

  it('takes --cluster-key and --api-token-file as file paths resolved against the working directory, none by default', () => {
    assert.equal(resolveDaemonConfig({}, {}, '/home/u').clusterKeyFile, null)
    assert.equal(resolveDaemonConfig({ clusterKey: 'keys/c.key' }, {}, '/home/u').clusterKeyFile, '/home/u/keys/c.key')
    assert.equal(resolveDaemonConfig({}, { JADFS_CLUSTER_KEY: '/etc/jadfs/c.key' }, '/home/u').clusterKeyFile, '/etc/jadfs/c.key')
    assert.equal(resolveDaemonConfig({}, { JADFS_CLUSTER_KEY: '' }, '/home/u').clusterKeyFile, null)
    assert.equal(resolveDaemonConfig({}, {}, '/home/u').apiTokenFile, null)
    assert.equal(resolveDaemonConfig({ apiTokenFile: 'secrets/api.token' }, {}, '/home/u').apiTokenFile, '/home/u/secrets/api.token')
    assert.equal(resolveDaemonConfig({ apiTokenFile: 'a.token' }, { JADFS_API_TOKEN_FILE: '/etc/b.token' }, '/home/u').apiTokenFile, '/home/u/a.token')
    assert.equal(resolveDaemonConfig({}, { JADFS_API_TOKEN_FILE: '/etc/b.token' }, '/home/u').apiTokenFile, '/etc/b.token')
    // an empty flag (--cluster-key "$UNSET") must not quietly open a private cluster or API
    assert.throws(() => resolveDaemonConfig({ clusterKey: '' }, {}, '/'), /--cluster-key: "": expected the path of a key file/)
    assert.throws(() => resolveDaemonConfig({ apiTokenFile: '' }, {}, '/'), /--api-token-file: "": expected the path of a token file/)
  })

  it('takes --reserve as a size, 256MiB by default and 0 allowed', () => {
    assert.equal(resolveDaemonConfig({}, {}, '/').reservedFreeBytes, 256 * 1024 * 1024)
    assert.equal(resolveDaemonConfig({ reserve: '0' }, {}, '/').reservedFreeBytes, 0)
    assert.equal(resolveDaemonConfig({}, { JADFS_RESERVE: '10GiB' }, '/').reservedFreeBytes, 10 * 1024 ** 3)
    assert.throws(() => resolveDaemonConfig({ reserve: 'lots' }, {}, '/'), /--reserve: "lots": expected a size like 256MiB/)
    assert.throws(() => resolveDaemonConfig({ reserve: '-1' }, {}, '/'), /--reserve: "-1"/)
  })

  it('takes --client-idle-timeout as a duration of at least 1s, 2m by default', () => {
    assert.equal(resolveDaemonConfig({}, {}, '/').clientIdleTimeoutMs, 120_000)
    assert.equal(resolveDaemonConfig({ clientIdleTimeout: '1s' }, {}, '/').clientIdleTimeoutMs, 1000)
    assert.equal(resolveDaemonConfig({}, { JADFS_CLIENT_IDLE_TIMEOUT: '10m' }, '/').clientIdleTimeoutMs, 600_000)
    assert.throws(() => resolveDaemonConfig({ clientIdleTimeout: '999ms' }, {}, '/'), /--client-idle-timeout: "999ms": expected at least 1s/)
    assert.throws(() => resolveDaemonConfig({ clientIdleTimeout: '0s' }, {}, '/'), /--client-idle-timeout/)
  })

  it('takes flags over JADFS_* variables over defaults', () => {
    const env = { JADFS_DATA_DIR: '/env', JADFS_CHUNK_SIZE: '1MiB', JADFS_LOG_LEVEL: 'warn', JADFS_GC_GRACE: '0s' }
    const config = resolveDaemonConfig({ dataDir: 'flag-dir', logLevel: 'debug' }, env, '/cwd')
    assert.equal(config.dataDir, '/cwd/flag-dir')
    assert.equal(config.chunkSizeBytes, 1024 * 1024)
    assert.equal(config.logLevel, 'debug')
    assert.equal(config.gcGraceMs, 0)
  })

  it('treats an empty JADFS_* variable as unset, but an empty flag as a value', () => {
    const config = resolveDaemonConfig({}, { JADFS_LOG_LEVEL: '', JADFS_VOTERS: '' }, '/')
    assert.equal(config.logLevel, 'info')
    assert.equal(config.targetVoters, 3)
    assert.throws(() => resolveDaemonConfig({ logLevel: '' }, { JADFS_LOG_LEVEL: 'warn' }, '/'), /invalid --log-level: "": expected one of/)
  })

  const invalid: Array<[string, Parameters<typeof resolveDaemonConfig>[0], Record<string, string>, RegExp]> = [
    ['chunk size below 64 KiB', { chunkSize: '1KiB' }, {}, /--chunk-size: "1KiB": expected a size from 64KiB to 256MiB/],
    ['chunk size above 256 MiB', { chunkSize: '257MiB' }, {}, /--chunk-size/],
    ['chunk size not a size', {}, { JADFS_CHUNK_SIZE: 'lots' }, /JADFS_CHUNK_SIZE \(for --chunk-size\): "lots"/],
    ['listen without port', { apiListen: 'localhost' }, {}, /--api-listen: "localhost": expected HOST:PORT/],
    ['listen port too big', { apiListen: '127.0.0.1:70000' }, {}, /--api-listen/],
    ['log level', { logLevel: 'loud' }, {}, /--log-level: "loud": expected one of fatal, error/],
    ['gc grace', { gcGrace: 'soon' }, {}, /--gc-grace: "soon": expected a duration/],
    ['max file size', { maxFileSize: '0' }, {}, /--max-file-size/]
  ]
  for (const [name, flags, env, message] of invalid) {
    it(`rejects ${name} with one INVALID_CONFIG line`, () => {
      assert.throws(() => resolveDaemonConfig(flags, env, '/'), (err: unknown) => {
        assert.ok(err instanceof JadfsError)
        assert.equal(err.code, 'INVALID_CONFIG')
        assert.match(err.message, message)
        assert.ok(!err.message.includes('\n'))
        return true
      })
    })
  }

  it('parses sizes, durations and listen addresses', () => {
    assert.equal(parseSizeBytes('64KiB'), 65536)
    assert.equal(parseSizeBytes('1MiB'), 1048576)
    assert.equal(parseSizeBytes('64mib'), 64 * 1048576)
    assert.equal(parseSizeBytes('1.5GiB'), 1.5 * 1024 ** 3)
    assert.equal(parseSizeBytes('1MB'), 1_000_000)
    assert.equal(parseSizeBytes('4096'), 4096)
    assert.equal(parseSizeBytes('1.5'), undefined)
    assert.equal(parseSizeBytes('-1'), undefined)
    assert.equal(parseSizeBytes('1 parsec'), undefined)
    assert.equal(parseDurationMs('0s'), 0)
    assert.equal(parseDurationMs('500ms'), 500)
    assert.equal(parseDurationMs('15m'), 900_000)
    assert.equal(parseDurationMs('2'), 2000)
    assert.equal(parseDurationMs('1w'), undefined)
    assert.deepEqual(parseListenAddress('[::1]:8080'), { host: '::1', port: 8080 })
    assert.deepEqual(parseListenAddress('0.0.0.0:0'), { host: '0.0.0.0', port: 0 })
    assert.equal(parseListenAddress('::1:80'), undefined)
  })

  describe('cluster options', () => {
    const refuses = (flags: Parameters<typeof resolveDaemonConfig>[0], env: Record<string, string>, option: string, message: RegExp): void => {
      assert.throws(() => resolveDaemonConfig(flags, env, '/'), (err: unknown) => {
        assert.ok(err instanceof JadfsError)
        assert.equal(err.code, 'INVALID_CONFIG')
        assert.deepEqual(err.details, { option })
        assert.match(err.message, message)
        assert.ok(!err.message.includes('\n'), err.message)
        return true
      })
    }

    it('uses the documented defaults', () => {
      const config = resolveDaemonConfig({}, {}, '/')
      assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/5081'])
      assert.deepEqual(config.announce, [])
      assert.deepEqual(config.join, [])
      assert.equal(config.targetVoters, 3)
      assert.equal(config.replicationFactor, 3)
      assert.equal(config.heartbeatIntervalMs, 2000)
      assert.equal(config.replaceDeadVoterAfterMs, 30_000)
      assert.equal(config.snapshotEveryEntries, 10_000)
    })

    it('takes address lists from repeated flags, else from comma or space separated JADFS_* lists', () => {
      const join = '/ip4/10.0.0.2/tcp/5081/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
      const env = {
        JADFS_LISTEN: ' /ip4/0.0.0.0/tcp/0, /ip6/::/tcp/0\n/ip4/127.0.0.1/tcp/7000 ',
        JADFS_ANNOUNCE: '/dns4/a.example/tcp/5081,/dns4/b.example/tcp/5081',
        JADFS_JOIN: join
      }
      const fromEnv = resolveDaemonConfig({}, env, '/')
      assert.deepEqual(fromEnv.listen, ['/ip4/0.0.0.0/tcp/0', '/ip6/::/tcp/0', '/ip4/127.0.0.1/tcp/7000'])
      assert.deepEqual(fromEnv.announce, ['/dns4/a.example/tcp/5081', '/dns4/b.example/tcp/5081'])
      assert.deepEqual(fromEnv.join, [join])

      const fromFlags = resolveDaemonConfig({ listen: ['/ip4/192.168.1.5/tcp/4001', '/ip4/127.0.0.1/tcp/4002'], join: [join, join.replace('10.0.0.2', '10.0.0.3')] }, env, '/')
      assert.deepEqual(fromFlags.listen, ['/ip4/192.168.1.5/tcp/4001', '/ip4/127.0.0.1/tcp/4002'])
      assert.deepEqual(fromFlags.join, [join, join.replace('10.0.0.2', '10.0.0.3')])
      assert.deepEqual(fromFlags.announce, fromEnv.announce)

      // an empty flag list or a blank variable falls through to the next source
      assert.deepEqual(resolveDaemonConfig({ listen: [] }, { JADFS_LISTEN: '/ip4/1.2.3.4/tcp/1' }, '/').listen, ['/ip4/1.2.3.4/tcp/1'])
      assert.deepEqual(resolveDaemonConfig({}, { JADFS_LISTEN: ' , ', JADFS_JOIN: '' }, '/').listen, ['/ip4/127.0.0.1/tcp/5081'])
    })

    it('refuses an address that is not a multiaddr, naming the option and where it came from', () => {
      refuses({ listen: ['localhost:5081'] }, {}, '--listen', /^invalid --listen: "localhost:5081": not a multiaddr; expected a multiaddr like \/ip4\/10\.0\.0\.2\/tcp\/5081$/)
      refuses({ announce: ['/ip4/10.0.0.1/tcp/5081', '/ip4/999.0.0.1/tcp/5081'] }, {}, '--announce', /--announce: "\/ip4\/999\.0\.0\.1\/tcp\/5081": Invalid IPv4 address/)
      refuses({}, { JADFS_LISTEN: '/ip4/0.0.0.0/tcp/0 /nonsense/1' }, '--listen', /^invalid JADFS_LISTEN \(for --listen\): "\/nonsense\/1"/)
      refuses({}, { JADFS_JOIN: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf' }, '--join', /JADFS_JOIN \(for --join\): .*like \/ip4\/10\.0\.0\.2\/tcp\/5081\/p2p\/12D3Koo/)
      refuses({ join: ['/ip4/10.0.0.2/tcp/port'] }, {}, '--join', /--join: "\/ip4\/10\.0\.0\.2\/tcp\/port"/)
    })

    it('accepts 1, 3, 5 and 7 voters and refuses even counts with the reason', () => {
      for (const n of [1, 3, 5, 7]) assert.equal(resolveDaemonConfig({ voters: String(n) }, {}, '/').targetVoters, n)
      for (const n of ['2', '4', '6']) refuses({ voters: n }, {}, '--voters', /the voter count must be odd \(1, 3, 5 or 7\): an even count tolerates no more failures/)
      refuses({}, { JADFS_VOTERS: '4' }, '--voters', /JADFS_VOTERS \(for --voters\): "4": the voter count must be odd/)
    })

    it('refuses voter counts out of 1..7 or not whole numbers', () => {
      for (const n of ['0', '8', '9', '-1', '3.0', 'three', '']) refuses({ voters: n }, {}, '--voters', /expected an odd number of voters from 1 to 7/)
    })

    it('accepts replication 1 and 16, refuses 0, 17 and non-numbers', () => {
      assert.equal(resolveDaemonConfig({ replication: '1' }, {}, '/').replicationFactor, 1)
      assert.equal(resolveDaemonConfig({}, { JADFS_REPLICATION: '16' }, '/').replicationFactor, 16)
      for (const n of ['0', '17', '2x', '1e1']) refuses({ replication: n }, {}, '--replication', /expected copies per chunk from 1 to 16/)
    })

    it('takes positive durations for --heartbeat-interval and --replace-dead-voter-after', () => {
      const config = resolveDaemonConfig({ heartbeatInterval: '500ms' }, { JADFS_REPLACE_DEAD_VOTER_AFTER: '2m' }, '/')
      assert.equal(config.heartbeatIntervalMs, 500)
      assert.equal(config.replaceDeadVoterAfterMs, 120_000)
      assert.equal(resolveDaemonConfig({ heartbeatInterval: '1ms' }, {}, '/').heartbeatIntervalMs, 1)
      refuses({ heartbeatInterval: '0s' }, {}, '--heartbeat-interval', /--heartbeat-interval: "0s": expected a positive duration/)
      refuses({ replaceDeadVoterAfter: '0' }, {}, '--replace-dead-voter-after', /--replace-dead-voter-after: "0": expected a positive duration/)
      refuses({ heartbeatInterval: 'often' }, {}, '--heartbeat-interval', /expected a duration like/)
      refuses({}, { JADFS_REPLACE_DEAD_VOTER_AFTER: '-5s' }, '--replace-dead-voter-after', /JADFS_REPLACE_DEAD_VOTER_AFTER \(for --replace-dead-voter-after\)/)
    })

    it('accepts --snapshot-every from 1 to 10000000', () => {
      assert.equal(resolveDaemonConfig({ snapshotEvery: '1' }, {}, '/').snapshotEveryEntries, 1)
      assert.equal(resolveDaemonConfig({}, { JADFS_SNAPSHOT_EVERY: '10000000' }, '/').snapshotEveryEntries, 10_000_000)
      for (const n of ['0', '10000001', 'often']) refuses({ snapshotEvery: n }, {}, '--snapshot-every', /expected a number of log entries from 1 to 10000000/)
    })
  })
})
