// Deadlines on the client's side of a transfer. A client that sends part of an upload and
// then nothing, with its connection still open, would otherwise hold the upload's temp file
// and its claim on the disk (up to a chunk) until the daemon stops; one that stops reading a
// download would hold its chunks' pins (which GC honours) and file descriptors.
//
// Uploads: only time spent waiting on the client counts. The request is watched from a timer
// (a wrapper around each 64 KiB read costs upload throughput): it is idle while nothing is
// buffered for the store to take and no byte has arrived since the last look; when the store
// is busy (replicating, making room) data piles up in the buffer and the clock stops.
// Downloads: the socket's own inactivity timeout, for the time the body is being sent.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { JadfsError } from '../errors.js'

/** how long a client may send nothing during an upload, or take nothing during a download */
export const DEFAULT_CLIENT_IDLE_TIMEOUT_MS = 120_000

/** Cuts the upload with UPLOAD_INCOMPLETE once the client has sent nothing for idleMs; call the result when the body is done. */
export function watchUploadIdle (req: IncomingMessage, idleMs: number): () => void {
  // an injected request (app.inject) has a stand-in socket that counts nothing
  if (typeof req.socket?.bytesRead !== 'number') return () => {}
  let lastBytesRead = req.socket.bytesRead
  let idleSinceMs = performance.now()
  const timer = setInterval(() => {
    const bytesRead = req.socket.bytesRead
    const waitingOnClient = !req.complete && req.readableLength === 0 && bytesRead === lastBytesRead
    lastBytesRead = bytesRead
    const nowMs = performance.now()
    if (!waitingOnClient) {
      idleSinceMs = nowMs
      return
    }
    if (nowMs - idleSinceMs < idleMs) return
    clearInterval(timer)
    req.destroy(new JadfsError('UPLOAD_INCOMPLETE', `the client sent nothing for ${idleMs / 1000} s; the upload was given up and nothing was stored`))
  }, Math.max(10, Math.floor(idleMs / 8)))
  timer.unref()
  return () => { clearInterval(timer) }
}

/** Destroys the response if the client takes no bytes for idleMs while the body is sent. */
export function watchDownloadIdle (res: ServerResponse, idleMs: number): void {
  const socket = res.socket
  // an injected request (app.inject) has a stand-in socket with no timer of its own
  if (socket === null || typeof socket.setTimeout !== 'function') return
  socket.setTimeout(idleMs)
  const onTimeout = (): void => { res.destroy(new Error(`the client took nothing for ${idleMs / 1000} s`)) }
  socket.once('timeout', onTimeout)
  // once the response is done Node sets the keep-alive timeout on the socket itself
  res.once('close', () => { socket.removeListener('timeout', onTimeout) })
}
