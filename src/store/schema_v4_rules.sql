-- Rapport schema, version 4 (rules): automation rules, their idempotency ledger, ticks, the outbox, settings.

-- Database-wide settings (e.g. the tenant's time zone, "UTC" when absent).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- A rule (include/rapport/rule.h): its JSON definition. `since_seq` is the change seq of its saving:
-- events at or before it are not its own. `watermark` is the instant up to which its time triggers and
-- schedules have been considered (µs): a tick considers occurrences in (watermark, now].
CREATE TABLE rules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  enabled INTEGER NOT NULL DEFAULT 1,
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  since_seq INTEGER NOT NULL,
  watermark INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The idempotency ledger and the outcomes: one row per firing (rule, customer, occurrence). The row
-- and the firing's effects commit together, so a rule fires once per customer per occurrence.
CREATE TABLE rule_firings (
  id INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
  customer_id INTEGER NOT NULL,
  occurrence INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('fired', 'retrying', 'failed', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  next_retry_at INTEGER,
  run_id INTEGER,
  UNIQUE (rule_id, customer_id, occurrence)
);
CREATE INDEX rule_firings_customer ON rule_firings (customer_id, rule_id, last_at);
CREATE INDEX rule_firings_retry ON rule_firings (next_retry_at) WHERE next_retry_at IS NOT NULL;

-- One row per tick; the last one's `now` is the floor for the next (time does not go backwards).
CREATE TABLE rule_runs (
  id INTEGER PRIMARY KEY,
  now INTEGER NOT NULL,
  events INTEGER NOT NULL DEFAULT 0,
  fired INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  notifications INTEGER NOT NULL DEFAULT 0,
  tasks_created INTEGER NOT NULL DEFAULT 0,
  reminders INTEGER NOT NULL DEFAULT 0
);

-- The rule engine's durable change-feed cursor (one row): the last change seq its events came from.
CREATE TABLE rule_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
INSERT INTO rule_cursor (id, seq) VALUES (1, (SELECT coalesce(max(seq), 0) FROM changes));

-- Messages for the host to deliver: pending -> claimed (ClaimOutbox) -> delivered (AckOutbox), or back to
-- pending / failed (FailOutbox).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  recipient_kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  customer_id INTEGER,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  occurrence INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  claimed_at INTEGER,
  delivered_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, id);
