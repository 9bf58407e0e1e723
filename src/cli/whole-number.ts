// A whole-number flag value within limits, or a usage error naming the flag.
import { JadfsError } from '../errors.js'

export function parseWholeNumber (flag: string, text: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new JadfsError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`)
  }
  return value
}
