// One query parameter as a single string; a repeated parameter is ambiguous and rejected.
import type { FastifyRequest } from 'fastify'
import { invalidArgument } from './error-reply.js'

export function queryParam (request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw invalidArgument(`query parameter ${name} must be given once`)
  return value
}

export function hasQueryFlag (request: FastifyRequest, name: string): boolean {
  const query = request.query as Record<string, unknown> | undefined
  return query !== undefined && Object.hasOwn(query, name)
}

/** a boolean query flag: absent → false; present as `name`, `name=1` or `name=true` → true */
export function booleanQueryParam (request: FastifyRequest, name: string): boolean {
  const value = queryParam(request, name)
  if (value === undefined) return false
  if (value === '' || value === '1' || value === 'true') return true
  if (value === '0' || value === 'false') return false
  throw invalidArgument(`query parameter ${name} must be 1, true, 0 or false`)
}
