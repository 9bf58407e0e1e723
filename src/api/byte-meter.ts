// Counts download body bytes as they stream past, for the bytes-out metric, without buffering.

/** continues an iterator whose first result was already pulled (to catch errors before headers) */
export async function * resumeIterator (first: IteratorResult<Uint8Array>, rest: AsyncIterator<Uint8Array>, add: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let result = first
  try {
    while (result.done !== true) {
      add(result.value.byteLength)
      yield result.value
      result = await rest.next()
    }
  } finally {
    // Lets the source release what it holds when the client goes away mid-download.
    if (result.done !== true) await rest.return?.()
  }
}
