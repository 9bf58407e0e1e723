// Command-line options of `npm run bench`.
import { parseSizeBytes } from '../src/config/parse-size.js'

export const SECTIONS = ['single-node', 'raft', 'cluster'] as const
export type Section = typeof SECTIONS[number]

export interface BenchArgs {
  readonly json: boolean
  readonly sizeBytes: number
  readonly sections: readonly Section[]
  readonly chunkSize: string
  /** how many times each ceiling and each operation is measured (medians are reported) */
  readonly rounds: number
  /** directory for the data dir and scratch files (default: the OS temp dir) */
  readonly dir?: string
}

const USAGE = 'usage: npm run bench -- [--json] [--size 1GiB] [--chunk-size 64MiB] [--rounds 3] [--only single-node|raft|cluster] [--dir DIR]'

export function parseBenchArgs (argv: readonly string[]): BenchArgs {
  let json = false
  let sizeBytes = 1024 ** 3
  let chunkSize = '64MiB'
  let rounds = 3
  let sections: readonly Section[] = SECTIONS
  let dir: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`)
      return v
    }
    switch (arg) {
      case '--json': json = true; break
      case '--size': {
        const text = value()
        const bytes = parseSizeBytes(text)
        if (bytes === undefined || bytes < 1) throw new Error(`--size ${text} is not a size like 256MiB or 4GiB\n${USAGE}`)
        sizeBytes = bytes
        break
      }
      case '--chunk-size': chunkSize = value(); break
      case '--rounds': {
        const text = value()
        rounds = Number(text)
        if (!/^\d+$/.test(text) || rounds < 1) throw new Error(`--rounds ${text} is not a positive whole number\n${USAGE}`)
        break
      }
      case '--only': {
        const name = value()
        if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only ${name}: expected ${SECTIONS.join(' or ')}\n${USAGE}`)
        sections = [name as Section]
        break
      }
      case '--dir': dir = value(); break
      case '--help': case '-h': throw new Error(USAGE)
      default: throw new Error(`unknown option ${String(arg)}\n${USAGE}`)
    }
  }
  return { json, sizeBytes, sections, chunkSize, rounds, ...(dir === undefined ? {} : { dir }) }
}
