// The daemon's structured logger: JSON lines (pino) on stdout. Created by the composition
// root and passed down; nothing logs through a module-level instance.
import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

export interface LoggerInit {
  readonly level: string
  /** where lines go; defaults to stdout (fd 1) */
  readonly destination?: DestinationStream
  readonly name?: string
}

export function createLogger (init: LoggerInit): Logger {
  const options = {
    level: init.level,
    name: init.name ?? 'jadfs',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime
  }
  // A synchronous destination so the last lines before exit (shutdown) are never lost.
  return pino(options, init.destination ?? pino.destination({ dest: 1, sync: true }))
}
