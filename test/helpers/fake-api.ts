// A stand-in for a daemon's HTTP API (node:http on 127.0.0.1, port 0) that answers what the test
// tells it to and records every request, to test the CLI's clients against the API contract
// before, or without, a real daemon. Unhandled routes answer 404 ROUTE_NOT_FOUND, as the
// daemon does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  readonly method: string
  /** path and query, e.g. /v1/files/a?stale=1 */
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

export interface FakeReply {
  readonly status?: number
  readonly json?: unknown
  readonly body?: Buffer | string
  readonly headers?: Record<string, string>
  /** close the connection after the body, as a daemon that fails mid-download does */
  readonly cut?: boolean
}

export type FakeHandler = (request: FakeRequest) => FakeReply | undefined

export interface FakeApi {
  readonly url: string
  readonly requests: FakeRequest[]
  close (): Promise<void>
}

export async function startFakeApi (handler: FakeHandler): Promise<FakeApi> {
  const requests: FakeRequest[] = []
  const server = http.createServer((req, res) => {
    const pieces: Buffer[] = []
    req.on('data', (piece: Buffer) => pieces.push(piece))
    req.on('end', () => {
      const request: FakeRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(pieces) }
      requests.push(request)
      const reply = handler(request) ?? errorReply(404, 'ROUTE_NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`)
      const body = reply.json !== undefined ? JSON.stringify(reply.json) : reply.body ?? ''
      res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'application/octet-stream', ...reply.headers })
      if (reply.cut === true) res.write(body, () => { res.socket?.destroy() })
      else res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

export function errorReply (status: number, code: string, message: string, details?: Record<string, unknown>): FakeReply {
  return { status, json: { error: { code, message, ...(details === undefined ? {} : { details }) } } }
}
