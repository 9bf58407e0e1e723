// Human sizes for flags and env (64KiB, 1MiB, 1.5GB, 4096). Binary units are the
// ones people mean for chunk sizes, so KiB/MiB/GiB/TiB are 1024-based; the bare
// K/M/G/T suffixes are accepted as binary too, and KB/MB/GB/TB are decimal.

const UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4
}

/** returns whole bytes, or undefined when the text is not a size */
export function parseSizeBytes (text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (match === null) return undefined
  const unit = UNIT_BYTES[(match[2] ?? '').toLowerCase()]
  if (unit === undefined) return undefined
  const bytes = Number(match[1]) * unit
  if (!Number.isFinite(bytes) || !Number.isInteger(bytes) || bytes > Number.MAX_SAFE_INTEGER) return undefined
  return bytes
}

export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}
