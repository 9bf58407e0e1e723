// readSmallFile with string arguments, for callInChild (special-files.ts), which passes argv.
import { readSmallFile } from '../../src/util/read-small-file.js'

export function readSmallFileInChild (path: string, maxBytes: string): number {
  return readSmallFile(path, Number(maxBytes)).byteLength
}
