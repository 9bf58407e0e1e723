// DELETE /v1/files/<path>: 200 with the record that was deleted; If-Match deletes only that
// version.
import type { FastifyInstance } from 'fastify'
import type { ApiDeps } from '../api-deps.js'
import { versionFromIfMatch } from '../etag.js'
import { filePathFromUrl } from '../file-path.js'

export function registerDeleteFileRoute (app: FastifyInstance, deps: ApiDeps): void {
  app.delete('/v1/files/*', async (request, reply) => {
    const filePath = filePathFromUrl(request.raw.url ?? '')
    const ifMatch = request.headers['if-match']
    const options = ifMatch === undefined ? {} : { ifVersion: versionFromIfMatch(ifMatch) }
    const record = await deps.files.deleteFile(filePath, options)
    return await reply.code(200).send(record)
  })
}
