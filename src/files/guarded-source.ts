// Wraps an upload body so that anything going wrong on the client side — the body throwing
// (disconnect) or the request being aborted, even while a read is pending — surfaces as one
// UPLOAD_INCOMPLETE error that the pipeline can tell apart from storage failures.
//
// When the pipeline stops early for its own reasons (too large, checksum, full disk) the body
// is only no longer pulled, not closed: for an HTTP request, closing the body would destroy
// the socket before the caller could send its error response. The caller owns the body.
import { JadfsError, isJadfsError } from '../errors.js'

export async function * guardSource (body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]()
  // One abort listener for the whole upload, not one per piece: adding and removing an
  // AbortSignal listener and racing a promise for each 64 KiB piece tripled the number of
  // full garbage collections of a 1 GiB upload. The listener rejects whichever read is pending.
  let rejectPending: ((err: JadfsError) => void) | null = null
  const onAbort = (): void => { if (signal !== undefined) rejectPending?.(aborted(signal)) }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    while (true) {
      let step: IteratorResult<Uint8Array>
      try {
        if (signal?.aborted === true) throw aborted(signal)
        step = signal === undefined ? await iterator.next() : await nextOrAbort(iterator, signal, (reject) => { rejectPending = reject })
      } catch (err) {
        if (signal?.aborted === true) {
          // the client is gone: let the source release what it holds (e.g. its socket); a
          // source stuck in next() may never settle return(), so it is not awaited
          void Promise.resolve(iterator.return?.()).catch(() => {})
          throw isJadfsError(err) ? err : aborted(signal)
        }
        if (isJadfsError(err)) throw err
        throw new JadfsError('UPLOAD_INCOMPLETE', 'the upload stream failed before it ended (client disconnected?); nothing was stored', { cause: err })
      } finally {
        rejectPending = null
      }
      if (step.done === true) return
      yield step.value
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/** the next step of the source, or a rejection as soon as `setReject`'s function is called */
async function nextOrAbort (
  iterator: AsyncIterator<Uint8Array>,
  signal: AbortSignal,
  setReject: (reject: (err: JadfsError) => void) => void
): Promise<IteratorResult<Uint8Array>> {
  const next = iterator.next()
  return await new Promise((resolve, reject) => {
    setReject(reject)
    next.then(resolve, reject)
    // next() runs the source synchronously up to its first await; it may have aborted already
    if (signal.aborted) reject(aborted(signal))
  })
}

function aborted (signal: AbortSignal): JadfsError {
  const reason: unknown = signal.reason
  if (reason instanceof JadfsError && reason.code === 'UPLOAD_INCOMPLETE') return reason
  return new JadfsError('UPLOAD_INCOMPLETE', 'the upload was aborted before it ended; nothing was stored', { cause: reason })
}
