// Where the other members were last reached, kept in <data-dir>/peers.json. libp2p's peer
// store lives in memory, so without this a restarted peer (whose own port may have changed)
// would know nobody: it dials these addresses at start, alongside --join, and the members
// learn its new address from that connection. Soft state: a missing or damaged file only
// means the peer waits to be found through --join or the DHT.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const MEMBER_BOOK_FILE_NAME = 'peers.json'
/** members and addresses kept; a cluster larger than this still works, via the DHT */
const MAX_MEMBERS = 256
const MAX_ADDRS_PER_MEMBER = 8

export type MemberAddresses = Record<string, readonly string[]>

export async function readMemberBook (dataDir: string): Promise<MemberAddresses> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, MEMBER_BOOK_FILE_NAME), 'utf8')) as unknown
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
    const book: Record<string, string[]> = {}
    for (const [peerId, addrs] of Object.entries(parsed).slice(0, MAX_MEMBERS)) {
      if (!Array.isArray(addrs)) continue
      book[peerId] = addrs.filter((a): a is string => typeof a === 'string' && a.startsWith('/')).slice(0, MAX_ADDRS_PER_MEMBER)
    }
    return book
  } catch {
    return {}
  }
}

let writes = 0

export async function writeMemberBook (dataDir: string, book: MemberAddresses): Promise<void> {
  const trimmed: Record<string, readonly string[]> = {}
  for (const [peerId, addrs] of Object.entries(book).slice(0, MAX_MEMBERS)) trimmed[peerId] = addrs.slice(0, MAX_ADDRS_PER_MEMBER)
  const path = join(dataDir, MEMBER_BOOK_FILE_NAME)
  // one temp file per write: the periodic save and the one at stop may overlap
  const temp = `${path}.${process.pid}.${++writes}.tmp`
  await writeFile(temp, JSON.stringify(trimmed, null, 2) + '\n')
  await rename(temp, path)
}

/** the addresses to dial at start: every member's, each ending in /p2p/<its id> */
export function dialableAddresses (book: MemberAddresses, selfId: string): string[] {
  const out: string[] = []
  for (const [peerId, addrs] of Object.entries(book)) {
    if (peerId === selfId) continue
    for (const addr of addrs) out.push(addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`)
  }
  return out
}
