// The last lines of a daemon's log, for error messages: enough to see why it stopped, read from
// the end of the file so a large log costs no more than a small one.
import { open } from 'node:fs/promises'

const MAX_TAIL_BYTES = 16 * 1024

export async function logTail (file: string, lines = 20): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return `(no log at ${file})`
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, MAX_TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    const text = buffer.toString('utf8').trimEnd()
    const all = text.split('\n')
    // The first line may be cut in the middle when the file was longer than the window.
    const whole = length < size ? all.slice(1) : all
    return whole.slice(-lines).join('\n')
  } finally {
    await handle.close()
  }
}
