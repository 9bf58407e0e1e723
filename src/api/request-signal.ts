// An AbortSignal that fires when the client goes away before its response is complete, so a
// disconnect mid-upload aborts the write (nothing half-written becomes visible) and a
// disconnect mid-download stops reading chunks.
import type { IncomingMessage, ServerResponse } from 'node:http'

export function clientGoneSignal (req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  const abortUnlessDone = (): void => {
    // a request we cut ourselves (the client went idle) carries why in its error
    if (!res.writableFinished) controller.abort(req.errored ?? new Error('client disconnected'))
  }
  req.once('aborted', abortUnlessDone)
  res.once('close', abortUnlessDone)
  return controller.signal
}
