// Membership changes are taken only by the leader. A peer that is not the leader answers
// NOT_LEADER naming the leader's API URL; the call is repeated there once. Once only: a second
// NOT_LEADER means leadership is moving, which the user should see rather than a loop.
import { JadfsError, isJadfsError } from '../errors.js'
import type { ApiClient } from './api-client.js'

export interface LeaderAnswer<T> {
  readonly result: T
  /** the daemon that took the request */
  readonly apiUrl: string
}

export async function onLeader<T> (client: ApiClient, call: (client: ApiClient) => Promise<T>): Promise<LeaderAnswer<T>> {
  try {
    return { result: await call(client), apiUrl: client.baseUrl }
  } catch (err) {
    if (!isJadfsError(err, 'NOT_LEADER')) throw err
    const leaderApiUrl = err.details?.leaderApiUrl
    if (typeof leaderApiUrl !== 'string' || leaderApiUrl === '') {
      const leader = typeof err.details?.leaderPeerId === 'string' ? ` (leader ${err.details.leaderPeerId}, API address unknown)` : ' (no leader known yet; retry in a few seconds)'
      throw new JadfsError('NOT_LEADER', `${client.baseUrl} is not the leader${leader}: ${err.message}`, { cause: err, details: err.details })
    }
    const leader = client.at(leaderApiUrl)
    return { result: await call(leader), apiUrl: leader.baseUrl }
  }
}
