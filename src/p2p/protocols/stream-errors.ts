// Maps what libp2p, it-length-prefixed and protons throw into our stable codes, by error
// name, since those libraries share no base class. Errors while opening a stream mean the
// peer is unreachable; errors during the exchange mean the peer misbehaved or went away.
import { JadfsError } from '../../errors.js'

export type StreamPhase = 'open' | 'exchange'

export function toJadfsError (thrown: unknown, phase: StreamPhase, context: string): JadfsError {
  const err = unwrapEvent(thrown)
  if (err instanceof JadfsError) return err
  const name = err instanceof Error ? err.name : ''
  const message = err instanceof Error ? err.message : String(err)
  const make = (code: ConstructorParameters<typeof JadfsError>[0], why: string): JadfsError =>
    new JadfsError(code, `${context}: ${why}`, { cause: err })
  switch (name) {
    case 'InvalidDataLengthError':
    case 'InvalidDataLengthLengthError':
      return make('MESSAGE_TOO_LARGE', 'the peer sent a message over the size limit')
    case 'UnexpectedEOFError':
      return make('PROTOCOL_ERROR', 'the peer closed the stream in the middle of a message')
    case 'InvalidMessageLengthError':
      return make('PROTOCOL_ERROR', 'the peer sent an invalid length prefix')
    case 'StreamResetError':
      return make('PROTOCOL_ERROR', 'the peer reset the stream (it may be at its stream limit, or stopping)')
    case 'TooManyOutboundProtocolStreamsError':
      return make('PEER_BUSY', `the limit of concurrent outbound streams was reached (${message})`)
    case 'UnsupportedProtocolError':
      return make('PEER_UNREACHABLE', 'the peer does not support this protocol')
  }
  if (phase === 'open') return make('PEER_UNREACHABLE', message)
  return make('PROTOCOL_ERROR', message)
}

/**
 * libp2p sometimes ends a stream with an event (a stream's or connection's close) as the
 * reason instead of an Error; its message would read "[object Event]". The error the event
 * carries is used instead, or a sentence naming the event.
 */
function unwrapEvent (thrown: unknown): unknown {
  if (!(thrown instanceof Event)) return thrown
  const carried = (thrown as Event & { error?: unknown }).error
  if (carried instanceof Error) return carried
  return new Error(`the stream or its connection ended (a '${thrown.type}' event without an error)`)
}
