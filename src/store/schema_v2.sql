-- Rapport schema, version 2: saved segments.

-- Dynamic segments (an expression), static lists and suppression lists (explicit members).
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('dynamic', 'static', 'suppression')),
  expression TEXT,               -- dynamic: the canonical text form
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  refreshed_at INTEGER,          -- dynamic: the as_of of the last refresh
  history_from INTEGER           -- membership is known from this time on
);

-- Membership spells: the customer was a member from entered_at until left_at (NULL: still is).
CREATE TABLE segment_members (
  segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  entered_at INTEGER NOT NULL,
  left_at INTEGER,
  PRIMARY KEY (segment_id, customer_id, entered_at)
) WITHOUT ROWID;
CREATE INDEX segment_members_current ON segment_members (segment_id, customer_id) WHERE left_at IS NULL;
CREATE INDEX segment_members_customer ON segment_members (customer_id);
