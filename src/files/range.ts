// Single-range "Range: bytes=..." parsing against a known file size (RFC 9110 §14.1.2).
// Only one range is served: multipart/byteranges costs complexity no client of ours needs.
// A file of 0 bytes has no byte any range could select, so every range on it is
// unsatisfiable (INVALID_RANGE, 416); without a Range header an empty file reads fine.
import { JadfsError } from '../errors.js'
import type { ByteRange } from './file-service.js'

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i

/** null when there is no Range header; details.sizeBytes lets HTTP send "Content-Range: bytes *\/size" */
export function parseRangeHeader (header: string | undefined, sizeBytes: number): ByteRange | null {
  if (header === undefined) return null
  const text = header.trim()
  if (text.includes(',')) throw invalid(header, sizeBytes, 'multiple ranges are not supported')
  const match = SINGLE_RANGE.exec(text)
  if (match === null) throw invalid(header, sizeBytes, 'expected bytes=START-END, bytes=START- or bytes=-SUFFIX')
  const [, first = '', last = ''] = match
  if (first === '' && last === '') throw invalid(header, sizeBytes, 'a range needs a start or a suffix length')
  if (first === '') {
    const suffixBytes = Number(last)
    if (suffixBytes === 0 || sizeBytes === 0) throw invalid(header, sizeBytes, 'the range selects no bytes')
    return { start: Math.max(0, sizeBytes - suffixBytes), end: sizeBytes - 1 }
  }
  const start = Number(first)
  if (last !== '' && Number(last) < start) throw invalid(header, sizeBytes, 'the range ends before it starts')
  if (start >= sizeBytes) throw invalid(header, sizeBytes, `the range starts at or after the end of the ${sizeBytes}-byte file`)
  const end = last === '' ? sizeBytes - 1 : Math.min(Number(last), sizeBytes - 1)
  return { start, end }
}

function invalid (header: string, sizeBytes: number, why: string): JadfsError {
  const shown = JSON.stringify(header.length > 100 ? `${header.slice(0, 100)}...` : header)
  return new JadfsError('INVALID_RANGE', `invalid Range ${shown}: ${why}`, { details: { sizeBytes } })
}
