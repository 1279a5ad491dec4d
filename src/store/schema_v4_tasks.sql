-- Rapport schema, version 4 (tasks).

-- Tasks and reminders (include/rapport/task.h). Times are microseconds UTC. A purge of the customer
-- removes its tasks (cascade); a soft delete leaves them.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE,
  ref_kind TEXT CHECK (ref_kind IN ('lead', 'deal', 'ticket')),
  ref_id INTEGER,
  owner INTEGER,
  team TEXT,                    -- NULL: no team
  due INTEGER,
  remind_at INTEGER,
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  notes TEXT NOT NULL DEFAULT '',
  created_by_rule TEXT,         -- NULL: made by hand
  status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  cancelled_at INTEGER,
  reminded_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  CHECK ((ref_kind IS NULL) = (ref_id IS NULL))
);
-- The lists: per owner, per team, and everyone's, each by status and due time.
CREATE INDEX tasks_owner_status_due ON tasks (owner, status, due) WHERE owner IS NOT NULL;
CREATE INDEX tasks_team_status_due ON tasks (team, status, due) WHERE team IS NOT NULL;
CREATE INDEX tasks_status_due ON tasks (status, due);
CREATE INDEX tasks_customer ON tasks (customer_id) WHERE customer_id IS NOT NULL;
-- Reminders waiting to fire, in firing order: a claim reads only the due ones.
CREATE INDEX tasks_pending_reminders ON tasks (remind_at)
  WHERE status = 'open' AND reminded_at IS NULL AND remind_at IS NOT NULL;
