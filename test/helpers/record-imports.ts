// Loaded with `node --import` by the CLI start-up test: records the URL of every module the
// process resolves, one per line, in the file named by JADFS_TEST_IMPORT_LOG. The hook runs on
// Node's loader thread, hence a file rather than a message.
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>

export async function resolve (specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string }> {
  const resolved = await nextResolve(specifier, context)
  const log = process.env.JADFS_TEST_IMPORT_LOG
  if (log !== undefined) appendFileSync(log, resolved.url + '\n')
  return resolved
}

// on the main thread (not in the loader thread, which has no `register` to call again)
if (process.env.JADFS_TEST_IMPORT_LOG !== undefined && process.env.JADFS_TEST_IMPORT_HOOKED !== '1') {
  process.env.JADFS_TEST_IMPORT_HOOKED = '1'
  register(import.meta.url)
}
