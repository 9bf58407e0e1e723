// Builds the API around the in-memory fake with a silent logger and its own registry.
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { buildApiApp } from '../../src/api/app.js'
import { FakeFileService } from './fake-file-service.js'

export interface TestApp {
  readonly app: FastifyInstance
  readonly files: FakeFileService
  readonly registry: Registry
}

export function makeTestApp (options: { maxFileSizeBytes?: number, apiToken?: string, clientIdleTimeoutMs?: number } = {}): TestApp {
  const files = new FakeFileService()
  const registry = new Registry()
  const app = buildApiApp({
    files,
    logger: pino({ level: 'silent' }),
    metricsRegistry: registry,
    maxFileSizeBytes: options.maxFileSizeBytes ?? 10 * 1024 * 1024,
    ...(options.apiToken === undefined ? {} : { apiToken: options.apiToken }),
    ...(options.clientIdleTimeoutMs === undefined ? {} : { clientIdleTimeoutMs: options.clientIdleTimeoutMs })
  })
  return { app, files, registry }
}
