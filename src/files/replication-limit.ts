// The most copies of a chunk anyone may ask for: a put's replication option (file service,
// HTTP, CLI) and the daemon's default. A cluster of tens of peers gains nothing from more
// copies, and a sync put pushes every chunk to each of them before it answers. Peers also
// remember at most 16 holders per chunk (chunk-locations.ts).
export const MAX_REPLICATION_FACTOR = 16
