// The logging surface the p2p layer needs. pino loggers satisfy it; tests pass nothing
// and get the silent one.
export interface P2pLogger {
  debug: (fields: Record<string, unknown>, message: string) => void
  info: (fields: Record<string, unknown>, message: string) => void
  warn: (fields: Record<string, unknown>, message: string) => void
}

export const silentLogger: P2pLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {}
}
