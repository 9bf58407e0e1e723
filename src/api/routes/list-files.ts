// GET /v1/files?prefix=&limit=&cursor=: one page of files in path order,
// {"files":[...],"nextCursor":"..."}; nextCursor is absent on the last page.
import type { FastifyInstance } from 'fastify'
import type { ListFilesOptions } from '../../files/file-service.js'
import type { ApiDeps } from '../api-deps.js'
import { invalidArgument } from '../error-reply.js'
import { booleanQueryParam, queryParam } from '../query-param.js'

export const DEFAULT_LIST_LIMIT = 100
export const MAX_LIST_LIMIT = 1000
const MAX_CURSOR_CHARS = 8192

export function registerListFilesRoute (app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/files', async (request) => {
    const options: { -readonly [K in keyof ListFilesOptions]: ListFilesOptions[K] } = { limit: DEFAULT_LIST_LIMIT }
    const prefix = queryParam(request, 'prefix')
    if (prefix !== undefined) options.prefix = prefix
    const limit = queryParam(request, 'limit')
    if (limit !== undefined) {
      const n = Number(limit)
      if (!/^\d+$/.test(limit) || n < 1 || n > MAX_LIST_LIMIT) throw invalidArgument(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
      options.limit = n
    }
    const cursor = queryParam(request, 'cursor')
    if (cursor !== undefined) {
      if (cursor === '' || cursor.length > MAX_CURSOR_CHARS) throw invalidArgument('cursor must be a value returned as nextCursor')
      options.cursor = cursor
    }
    if (booleanQueryParam(request, 'stale')) options.stale = true
    return await deps.files.listFiles(options)
  })
}
