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
