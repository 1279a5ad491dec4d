-- Rapport schema, version 4 (lifecycle).
-- Lifecycle models: the JSON form of a model (docs/lifecycle.md), one row per model.
CREATE TABLE lifecycle_models (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  precedence INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every stage move of a customer. `id` grows with `at` (moves are never recorded before the last one),
-- so the last row of a customer at or before an instant is its stage then. The model is kept by name:
-- history outlives a dropped model.
CREATE TABLE lifecycle_history (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  from_stage TEXT,
  to_stage TEXT NOT NULL,
  at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('auto', 'manual', 'rule')),
  reason TEXT NOT NULL DEFAULT '',
  rule TEXT NOT NULL DEFAULT ''
);
-- Per-customer history, and "the stage of every customer as of t" (a covering scan grouped by customer).
CREATE INDEX lifecycle_history_customer ON lifecycle_history (customer_id, at, to_stage);
-- Moves in a time range (distributions, the newest move).
CREATE INDEX lifecycle_history_at ON lifecycle_history (at);
