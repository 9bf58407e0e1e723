// prom-client collects every gauge of a scrape in the same turn of the event loop; gauges that
// read the same source share one read per scrape instead of each reading it again.

/** `read`, called at most once per scrape: every caller of that scrape gets the same answer */
export function perScrape<T> (read: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return async () => {
    pending ??= Promise.resolve().then(read).finally(() => { setImmediate(() => { pending = undefined }) })
    return await pending
  }
}
