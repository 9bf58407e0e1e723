// Checks peers.json, the members' last known addresses, in a temp dir: a written book reads
// back the same and leaves no temp file; a missing file, a missing dir and damaged files
// (not JSON, not an object, entries that are not address lists, addresses that are not
// multiaddrs) read as what is valid in them, {} at worst; the limits of 256 members and 8
// addresses per member hold at the limit and one past it, on write and on read (a file
// written by something else); dialableAddresses appends /p2p/<id> where it is missing and
// leaves this peer out.
import { strict as assert } from 'node:assert'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MEMBER_BOOK_FILE_NAME, dialableAddresses, readMemberBook, writeMemberBook, type MemberAddresses } from '../../src/cluster/member-address-book.js'
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js'

/** mirror the limits in the module */
const MAX_MEMBERS = 256
const MAX_ADDRS_PER_MEMBER = 8

const addrs = (n: number, port = 4000): string[] => Array.from({ length: n }, (_, i) => `/ip4/10.0.0.${i + 1}/tcp/${port}`)
const members = (n: number): MemberAddresses => Object.fromEntries(Array.from({ length: n }, (_, i) => [`peer${String(i).padStart(3, '0')}`, addrs(1)]))

describe('cluster: member address book', () => {
  let dir: string
  beforeEach(async () => { dir = await makeTempDir('member-book') })
  afterEach(async () => { await removeTempDir(dir) })

  const writeRaw = async (text: string): Promise<void> => { await writeFile(join(dir, MEMBER_BOOK_FILE_NAME), text) }
  const readRaw = async (): Promise<unknown> => JSON.parse(await readFile(join(dir, MEMBER_BOOK_FILE_NAME), 'utf8'))

  it('reads back what it wrote and leaves no temp file behind', async () => {
    const book = { peerA: ['/ip4/10.0.0.1/tcp/5081', '/dns4/b.example/tcp/5081/p2p/peerA'], peerB: ['/ip6/::1/tcp/5082'] }
    await writeMemberBook(dir, book)
    assert.deepEqual(await readMemberBook(dir), book)
    assert.deepEqual(await readdir(dir), [MEMBER_BOOK_FILE_NAME])
    // a second write replaces the first
    await writeMemberBook(dir, { peerC: ['/ip4/10.0.0.3/tcp/1'] })
    assert.deepEqual(await readMemberBook(dir), { peerC: ['/ip4/10.0.0.3/tcp/1'] })
  })

  it('reads a missing file or dir as an empty book', async () => {
    assert.deepEqual(await readMemberBook(dir), {})
    assert.deepEqual(await readMemberBook(join(dir, 'no-such-dir')), {})
  })

  it('reads a damaged file as an empty book, keeping only the valid parts', async () => {
    for (const text of ['', '{"peerA": ["/ip4/1.2.3.4/tcp/1"]', 'null', '[["/ip4/1.2.3.4/tcp/1"]]', '"/ip4/1.2.3.4/tcp/1"', '42', '\u0000\u0001']) {
      await writeRaw(text)
      assert.deepEqual(await readMemberBook(dir), {}, JSON.stringify(text))
    }
    await writeRaw(JSON.stringify({
      notAList: '/ip4/1.2.3.4/tcp/1',
      alsoNot: { addr: '/ip4/1.2.3.4/tcp/1' },
      mixed: ['/ip4/1.2.3.4/tcp/1', 7, null, 'localhost:5081', '', ['/nested'], '/ip4/5.6.7.8/tcp/2'],
      empty: []
    }))
    assert.deepEqual(await readMemberBook(dir), { mixed: ['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2'], empty: [] })
  })

  it('keeps 256 members and 8 addresses per member, at the limit and one past it, on write', async () => {
    // the file itself is checked: reading trims too, and would hide a write that did not
    await writeMemberBook(dir, members(MAX_MEMBERS))
    assert.deepEqual(await readRaw(), members(MAX_MEMBERS))
    await writeMemberBook(dir, members(MAX_MEMBERS + 1))
    assert.deepEqual(await readRaw(), members(MAX_MEMBERS))

    await writeMemberBook(dir, { atLimit: addrs(MAX_ADDRS_PER_MEMBER), past: addrs(MAX_ADDRS_PER_MEMBER + 1) })
    assert.deepEqual(await readRaw(), { atLimit: addrs(MAX_ADDRS_PER_MEMBER), past: addrs(MAX_ADDRS_PER_MEMBER) })
  })

  it('keeps 256 members and 8 addresses per member when reading a file written by something else', async () => {
    await writeRaw(JSON.stringify(members(MAX_MEMBERS + 1)))
    assert.deepEqual(await readMemberBook(dir), members(MAX_MEMBERS))
    await writeRaw(JSON.stringify(members(MAX_MEMBERS)))
    assert.equal(Object.keys(await readMemberBook(dir)).length, MAX_MEMBERS)
    await writeRaw(JSON.stringify({ atLimit: addrs(MAX_ADDRS_PER_MEMBER), past: addrs(MAX_ADDRS_PER_MEMBER + 1) }))
    assert.deepEqual(await readMemberBook(dir), { atLimit: addrs(MAX_ADDRS_PER_MEMBER), past: addrs(MAX_ADDRS_PER_MEMBER) })
  })

  it('dialableAddresses ends every address in /p2p/<its peer> and leaves this peer out', () => {
    const book = {
      self: ['/ip4/127.0.0.1/tcp/5081'],
      peerA: ['/ip4/10.0.0.1/tcp/5081', '/ip4/10.0.0.1/tcp/5081/p2p/peerA'],
      peerB: ['/dns4/b.example/tcp/5082']
    }
    assert.deepEqual(dialableAddresses(book, 'self'), [
      '/ip4/10.0.0.1/tcp/5081/p2p/peerA',
      '/ip4/10.0.0.1/tcp/5081/p2p/peerA',
      '/dns4/b.example/tcp/5082/p2p/peerB'
    ])
    // the control: as another peer, 'self' is dialled too
    assert.ok(dialableAddresses(book, 'peerB').includes('/ip4/127.0.0.1/tcp/5081/p2p/self'))
    assert.deepEqual(dialableAddresses({}, 'self'), [])
  })
})
