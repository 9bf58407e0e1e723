// Writing a new secret file (a cluster key, an API token): readable by its owner only, and
// never over an existing file, since copies of the old secret are held elsewhere.
import { writeFile } from 'node:fs/promises'
import { JadfsError } from '../errors.js'

/** `holders` says who holds copies, for the refusal to overwrite */
export async function writeSecretFileOnce (path: string, text: string, what: string, holders: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode: 0o600 })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new JadfsError('INVALID_ARGUMENT', `${path} already exists; ${what} is never overwritten (${holders})`)
    throw new JadfsError('INVALID_ARGUMENT', `cannot write ${path}: ${(err as Error).message}`)
  }
}
