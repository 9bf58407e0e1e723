// Schema migrations, keyed by SQLite's user_version. Append only: a migration that shipped is
// never edited, so every data dir walks the same path to the current schema.
export const MIGRATIONS: readonly string[] = [
  // 1: chunks, namespace files, applied index
  `
  CREATE TABLE chunks (
    cid TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    -- references from namespace files (a chunk repeated in one file counts each time)
    refcount INTEGER NOT NULL DEFAULT 0 CHECK (refcount >= 0),
    -- ok: file on disk and believed sound; bad: failed a hash check; absent: referenced but
    -- no local copy (a cluster peer that does not hold it)
    state TEXT NOT NULL CHECK (state IN ('ok', 'bad', 'absent')),
    created_at_ms INTEGER NOT NULL,
    -- last store, reference or release; the GC grace period counts from here
    touched_at_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX chunks_unreferenced ON chunks (touched_at_ms) WHERE refcount = 0;
  CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    chunk_size_bytes INTEGER NOT NULL,
    chunks_json TEXT NOT NULL,
    replication_factor INTEGER NOT NULL,
    replication_mode TEXT NOT NULL CHECK (replication_mode IN ('sync', 'async')),
    created_at_ms INTEGER NOT NULL,
    modified_at_ms INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1)
  ) STRICT;
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  INSERT INTO meta (key, value) VALUES ('applied_index', 0);
  `,
  // 2: copies a cluster peer keeps only because a read fetched them (a cache, not a replica)
  `
  ALTER TABLE chunks ADD COLUMN cached INTEGER NOT NULL DEFAULT 0 CHECK (cached IN (0, 1));
  -- eviction walks the cached copies least recently read first, not the whole table
  CREATE INDEX chunks_cached ON chunks (touched_at_ms) WHERE cached = 1;
  `,
  // 3: the bytes the namespace takes in a snapshot (namespace/namespace-size.ts), kept by every
  // apply. -1 is "not counted yet": the exact JSON of each record is counted in JavaScript when
  // the namespace opens. The version bump is what matters: a build from before it, which would
  // change files without keeping the total, refuses to open this database.
  `
  INSERT INTO meta (key, value) VALUES ('snapshot_bytes', -1);
  `,
  // 4: the proposals applied lately, so a copy re-sent after a leader change is skipped
  // (raft/proposal-window.ts); rows older than the window are deleted as entries apply
  `
  CREATE TABLE applied_proposals (
    id TEXT PRIMARY KEY,
    proposed_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX applied_proposals_by_age ON applied_proposals (proposed_at);
  `
]
