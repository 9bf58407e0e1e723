// Strong ETags name one version of one file's bytes: "<version>-<sha256>". The version makes
// If-Match a compare-and-swap on the namespace; the hash keeps the tag unique even if a
// path is deleted and recreated with a reset version.
import type { FileRecord } from '../files/file-service.js'
import { invalidArgument } from './error-reply.js'

export function etagOf (record: Pick<FileRecord, 'version' | 'sha256'>): string {
  return `"${record.version}-${record.sha256}"`
}

/** If-None-Match on a read: true when one of the listed tags (or *) matches the record */
export function noneMatchHits (header: string, record: Pick<FileRecord, 'version' | 'sha256'>): boolean {
  const current = etagOf(record)
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '')
    return t === '*' || t === current
  })
}

/** If-Match on a write: the version it names; malformed tags are rejected, not ignored */
export function versionFromIfMatch (header: string): number {
  const match = /^\s*"(\d+)-[0-9a-f]{64}"\s*$/.exec(header)
  if (match === null) throw invalidArgument(`If-Match must be one ETag like "3-<sha256>", got ${JSON.stringify(header.slice(0, 100))}`)
  const version = Number(match[1])
  if (!Number.isSafeInteger(version)) throw invalidArgument('If-Match version is out of range')
  return version
}
