// Side-effect module: import it before anything from libp2p so the stack finds
// Promise.withResolvers on Node 20. Importing it twice is harmless.
import { installPromiseWithResolvers } from './promise-with-resolvers.js'

installPromiseWithResolvers()
