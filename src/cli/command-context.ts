// What each command registration receives: the process surroundings and a place to put the
// exit code when a command finishes without throwing.
import type { CliIo } from './cli-io.js'

export interface CommandContext {
  readonly io: CliIo
  exitCode: number
}
