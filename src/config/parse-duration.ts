// Durations for flags and env: "0s", "500ms", "15m", "1h", "2d"; a bare number is seconds.

const UNIT_MS: Readonly<Record<string, number>> = {
  '': 1000,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000
}

/** returns whole milliseconds, or undefined when the text is not a duration */
export function parseDurationMs (text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text)
  if (match === null) return undefined
  const unit = UNIT_MS[(match[2] ?? '').toLowerCase()]
  if (unit === undefined) return undefined
  const ms = Math.round(Number(match[1]) * unit)
  return Number.isSafeInteger(ms) ? ms : undefined
}
