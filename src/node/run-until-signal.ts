// Runs a node until SIGTERM or SIGINT, then stops it cleanly. A second signal while stopping
// exits at once, for an operator who does not want to wait.
import type { Logger } from '../log/logger.js'
import type { JadfsNode } from './jadfs-node.js'

export async function runUntilSignal (node: JadfsNode, logger: Logger, proc: NodeJS.Process = process): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals): void => {
      proc.off('SIGTERM', onSignal)
      proc.off('SIGINT', onSignal)
      resolve(name)
    }
    proc.on('SIGTERM', onSignal)
    proc.on('SIGINT', onSignal)
  })
  logger.info({ signal }, 'shutting down')
  const force = (name: NodeJS.Signals): void => {
    logger.warn({ signal: name }, 'second signal while stopping; exiting now')
    proc.exit(1)
  }
  proc.once('SIGTERM', force)
  proc.once('SIGINT', force)
  try {
    await node.stop()
  } finally {
    proc.off('SIGTERM', force)
    proc.off('SIGINT', force)
  }
}
