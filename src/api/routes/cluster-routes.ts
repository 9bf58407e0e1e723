// Cluster routes: GET /v1/id (this peer's id and addresses), GET /v1/cluster (membership,
// leader and the peer table as this peer sees them), POST /v1/cluster/voters {"peerId"}
// (promote a learner) and DELETE /v1/cluster/voters/<peerId> (remove a member), both on the
// leader only (NOT_LEADER elsewhere, naming the leader's API when known).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ClusterControl } from '../../cluster/cluster-control.js'
import { invalidArgument } from '../error-reply.js'

/** a voter request body is one small JSON object */
export const MAX_CLUSTER_BODY_BYTES = 4096

export function registerClusterRoutes (app: FastifyInstance, cluster: ClusterControl): void {
  app.get('/v1/id', async () => cluster.id())
  app.get('/v1/cluster', async () => cluster.view())
  app.post('/v1/cluster/voters', async (request) => {
    const body = await readJsonBody(request)
    const peerId = (body as { peerId?: unknown } | null)?.peerId
    if (typeof peerId !== 'string') throw invalidArgument('the body must be {"peerId": "12D3KooW..."}')
    return await cluster.addVoter(peerId)
  })
  app.delete('/v1/cluster/voters/:peerId', async (request) => {
    const { peerId } = request.params as { peerId: string }
    return await cluster.removeVoter(peerId)
  })
}

async function readJsonBody (request: FastifyRequest): Promise<unknown> {
  const pieces: Buffer[] = []
  let size = 0
  for await (const piece of request.raw as AsyncIterable<Buffer>) {
    size += piece.byteLength
    if (size > MAX_CLUSTER_BODY_BYTES) throw invalidArgument(`the body is larger than ${MAX_CLUSTER_BODY_BYTES} bytes`)
    pieces.push(piece)
  }
  try {
    return JSON.parse(Buffer.concat(pieces).toString('utf8'))
  } catch {
    throw invalidArgument('the body is not JSON')
  }
}
