// Headers that describe a stored file on GET, HEAD and 304 responses.
import type { FastifyReply } from 'fastify'
import type { FileRecord } from '../files/file-service.js'
import { etagOf } from './etag.js'

export function setFileHeaders (reply: FastifyReply, record: FileRecord): void {
  reply.header('etag', etagOf(record))
  reply.header('last-modified', new Date(record.modifiedAtMs).toUTCString())
  reply.header('accept-ranges', 'bytes')
  reply.header('x-jadfs-sha256', record.sha256)
  reply.header('x-jadfs-version', String(record.version))
}
