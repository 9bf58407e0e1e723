// Entries are compared by value across nodes and across time; a compact string key (type,
// term, bytes) makes that a Map lookup. Payloads in the simulation are small, so the bytes are
// kept whole rather than hashed: no collision can hide a divergence.

import type { Entry } from '../../types.js'

export function entryKey (entry: Pick<Entry, 'term' | 'type' | 'data'>): string {
  return `${entry.term}|${entry.type}|${Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).toString('base64')}`
}
