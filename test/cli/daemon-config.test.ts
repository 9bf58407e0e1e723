// Checks daemon configuration: flags win over JADFS_* variables, which win over defaults;
// sizes, durations and listen addresses parse; and each invalid value is one INVALID_CONFIG
// error naming the option and where the value came from.
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
  })

  it('takes flags over JADFS_* variables over defaults', () => {
    const env = { JADFS_DATA_DIR: '/env', JADFS_CHUNK_SIZE: '1MiB', JADFS_LOG_LEVEL: 'warn', JADFS_GC_GRACE: '0s' }
    const config = resolveDaemonConfig({ dataDir: 'flag-dir', logLevel: 'debug' }, env, '/cwd')
    assert.equal(config.dataDir, '/cwd/flag-dir')
    assert.equal(config.chunkSizeBytes, 1024 * 1024)
    assert.equal(config.logLevel, 'debug')
    assert.equal(config.gcGraceMs, 0)
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
})
