// GET /v1/cluster for the harness: one short request, the view or an error saying why not. The
// harness polls with it, so a slow or dead node costs one timeout, never a hang.
import type { ClusterView } from '../api/cluster-view.js'

export const PROBE_TIMEOUT_MS = 2000

export type Probe = { readonly ok: true, readonly view: ClusterView } | { readonly ok: false, readonly error: string, readonly status?: number }

/** apiToken: for daemons started with --api-token-file */
export async function probeCluster (apiUrl: string, apiToken?: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  try {
    const headers = apiToken === undefined ? undefined : { authorization: `Bearer ${apiToken}` }
    const response = await fetch(`${apiUrl}/v1/cluster`, { signal: AbortSignal.timeout(timeoutMs), ...(headers === undefined ? {} : { headers }) })
    const text = await response.text()
    if (!response.ok) return { ok: false, error: `HTTP ${response.status}: ${text.slice(0, 200)}`, status: response.status }
    return { ok: true, view: JSON.parse(text) as ClusterView }
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause
    return { ok: false, error: typeof cause?.code === 'string' ? cause.code : (err as Error).message }
  }
}
