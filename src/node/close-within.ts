// Closes the API server, giving in-flight requests a bounded time to finish before their
// connections are cut, so a stuck client cannot hold shutdown forever.
import type { FastifyInstance } from 'fastify'

/** resolves true if everything finished within the grace period */
export async function closeWithin (app: FastifyInstance, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  // Connections that turn idle after close() began would otherwise linger until their
  // keep-alive timeout.
  const sweeper = setInterval(() => { app.server.closeIdleConnections() }, 100)
  const closed = app.close().then(() => true).finally(() => { clearInterval(sweeper) })
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(false) }, graceMs) })
  const finished = await Promise.race([closed, timedOut])
  clearTimeout(timer)
  if (!finished) {
    app.server.closeAllConnections()
    await closed
  }
  return finished
}
