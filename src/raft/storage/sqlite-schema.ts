// The on-disk layout of SqliteRaftStorage. PRAGMA user_version records the schema version so a
// later layout change can migrate, and an unknown (newer) file is refused instead of misread.
// Singleton rows (hard state, snapshot, compaction point, conf state) use id = 0 with a CHECK
// so there is never a second one.

export const SCHEMA_VERSION = 1

export const SCHEMA_SQL = `
CREATE TABLE entries (
  idx INTEGER PRIMARY KEY,
  term INTEGER NOT NULL,
  type INTEGER NOT NULL CHECK (type IN (0, 1)),
  data BLOB NOT NULL
);
CREATE TABLE hard_state (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  term INTEGER NOT NULL,
  vote TEXT NOT NULL,
  commit_index INTEGER NOT NULL
);
-- the snapshot's configuration lives in conf_state, the one place the configuration is kept
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  idx INTEGER NOT NULL,
  term INTEGER NOT NULL,
  data BLOB NOT NULL
);
-- the compaction point: entries up to idx are gone, and term answers term(idx); it trails the
-- snapshot so a leader can keep a few entries for followers that lag a little (as etcd does)
CREATE TABLE compaction (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  idx INTEGER NOT NULL,
  term INTEGER NOT NULL
);
CREATE TABLE conf_state (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  voters TEXT NOT NULL,
  learners TEXT NOT NULL
);
`

/** entry types as stored; 0 and 1 only (the CHECK above) */
export const ENTRY_TYPE_CODES = { normal: 0, confChange: 1 } as const
