// Human and JSON output for the commands.
import type { Writable } from 'node:stream'
import { formatBytes } from '../config/parse-size.js'
import type { FileRecord } from '../files/file-service.js'

export function printJson (out: Writable, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n')
}

export function printLines (out: Writable, lines: readonly string[]): void {
  out.write(lines.map((l) => l + '\n').join(''))
}

/** columns padded to their widest cell; the last column is not padded */
export function formatTable (rows: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return rows.map((row) => row.map((cell, i) => {
    if (i === row.length - 1) return cell
    return rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)
  }).join('  '))
}

export function formatTime (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
}

export function describeRecord (record: FileRecord): string[] {
  return formatTable([
    ['path', record.path],
    ['size', `${formatBytes(record.sizeBytes)} (${record.sizeBytes} bytes)`],
    ['sha256', record.sha256],
    ['version', String(record.version)],
    ['chunks', `${record.chunks.length} × up to ${formatBytes(record.chunkSizeBytes)}`],
    ['replication', `${record.replication.factor} copies, ${record.replication.mode}`],
    ['created', formatTime(record.createdAtMs)],
    ['modified', formatTime(record.modifiedAtMs)]
  ])
}
