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
  `,
  // 5: running totals of the files and local chunks, for status and every /metrics scrape (a
  // COUNT/SUM over tables of millions of rows was a full scan each time). Kept by triggers, so
  // every statement that changes a row keeps them, in its own transaction; counted once here.
  `
  INSERT INTO meta (key, value) SELECT 'files', COUNT(*) FROM files;
  INSERT INTO meta (key, value) SELECT 'file_bytes', COALESCE(SUM(size_bytes), 0) FROM files;
  INSERT INTO meta (key, value) SELECT 'local_chunks', COUNT(*) FROM chunks WHERE state != 'absent';
  INSERT INTO meta (key, value) SELECT 'local_chunk_bytes', COALESCE(SUM(size_bytes), 0) FROM chunks WHERE state != 'absent';
  INSERT INTO meta (key, value) SELECT 'bad_chunks', COUNT(*) FROM chunks WHERE state = 'bad';
  INSERT INTO meta (key, value) SELECT 'cached_chunks', COUNT(*) FROM chunks WHERE state != 'absent' AND cached = 1;
  CREATE TRIGGER files_totals_insert AFTER INSERT ON files BEGIN
    UPDATE meta SET value = value + CASE key WHEN 'files' THEN 1 ELSE NEW.size_bytes END WHERE key IN ('files', 'file_bytes');
  END;
  CREATE TRIGGER files_totals_delete AFTER DELETE ON files BEGIN
    UPDATE meta SET value = value - CASE key WHEN 'files' THEN 1 ELSE OLD.size_bytes END WHERE key IN ('files', 'file_bytes');
  END;
  CREATE TRIGGER files_totals_update AFTER UPDATE OF size_bytes ON files BEGIN
    UPDATE meta SET value = value - OLD.size_bytes + NEW.size_bytes WHERE key = 'file_bytes';
  END;
  CREATE TRIGGER chunks_totals_insert AFTER INSERT ON chunks WHEN NEW.state != 'absent' BEGIN
    UPDATE meta SET value = value + CASE key
      WHEN 'local_chunks' THEN 1 WHEN 'local_chunk_bytes' THEN NEW.size_bytes
      WHEN 'bad_chunks' THEN NEW.state = 'bad' ELSE NEW.cached END
    WHERE key IN ('local_chunks', 'local_chunk_bytes', 'bad_chunks', 'cached_chunks');
  END;
  CREATE TRIGGER chunks_totals_delete AFTER DELETE ON chunks WHEN OLD.state != 'absent' BEGIN
    UPDATE meta SET value = value - CASE key
      WHEN 'local_chunks' THEN 1 WHEN 'local_chunk_bytes' THEN OLD.size_bytes
      WHEN 'bad_chunks' THEN OLD.state = 'bad' ELSE OLD.cached END
    WHERE key IN ('local_chunks', 'local_chunk_bytes', 'bad_chunks', 'cached_chunks');
  END;
  CREATE TRIGGER chunks_totals_update AFTER UPDATE OF state, cached, size_bytes ON chunks
  WHEN OLD.state IS NOT NEW.state OR OLD.cached IS NOT NEW.cached OR OLD.size_bytes IS NOT NEW.size_bytes BEGIN
    UPDATE meta SET value = value + CASE key
      WHEN 'local_chunks' THEN (NEW.state != 'absent') - (OLD.state != 'absent')
      WHEN 'local_chunk_bytes' THEN (NEW.state != 'absent') * NEW.size_bytes - (OLD.state != 'absent') * OLD.size_bytes
      WHEN 'bad_chunks' THEN (NEW.state = 'bad') - (OLD.state = 'bad')
      ELSE (NEW.state != 'absent') * NEW.cached - (OLD.state != 'absent') * OLD.cached END
    WHERE key IN ('local_chunks', 'local_chunk_bytes', 'bad_chunks', 'cached_chunks');
  END;
  `,
  // 6: eviction walks the cached copies least recently read first, not the whole table. (A
  // build of the same version created this index in migration 2, edited after it shipped, so
  // data dirs already at 2 never got it: IF NOT EXISTS serves both.)
  `
  CREATE INDEX IF NOT EXISTS chunks_cached ON chunks (touched_at_ms) WHERE cached = 1;
  `,
  // 7: how many times each chunk was stored here, so that a failed upload removes a chunk it
  // created only if nobody stored it again meanwhile (see ChunkStore.discardIfUnused). Rows
  // from before count from 0; only uploads in flight compare it, and none survives a restart.
  `
  ALTER TABLE chunks ADD COLUMN times_stored INTEGER NOT NULL DEFAULT 0;
  `
]
