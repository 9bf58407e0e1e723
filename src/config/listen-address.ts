// HOST:PORT for --api-listen. IPv6 hosts are written in brackets ([::1]:5080) so the
// last colon is unambiguous.

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

export function parseListenAddress (text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim())
  if (match === null) return undefined
  const host = match[1] ?? match[2]
  const port = Number(match[3])
  if (host === undefined || host === '' || port > 65535) return undefined
  return { host, port }
}

export function formatListenAddress (address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
