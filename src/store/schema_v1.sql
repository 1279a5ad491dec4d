-- Rapport schema, version 1. Times are INTEGER microseconds since the Unix epoch (UTC).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'organization')),
  name TEXT NOT NULL,
  industry TEXT, region TEXT, size TEXT, source TEXT,
  owner INTEGER,
  birthday TEXT,
  lifecycle_stage TEXT,
  custom TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customers_owner ON customers (owner) WHERE owner IS NOT NULL;
CREATE INDEX customers_stage ON customers (lifecycle_stage) WHERE lifecycle_stage IS NOT NULL;

-- Name search over the NFKC case-folded name (rowid = customer id), tokenized into character bigrams
-- by rapport_grams (src/store/name_tokenizer.cc). Contentless: deleting a row repeats its key.
CREATE VIRTUAL TABLE customer_names USING fts5 (name_key, content = '', columnsize = 0, tokenize = 'rapport_grams');

CREATE TABLE contact_points (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
  value TEXT NOT NULL,
  raw TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  is_primary INTEGER NOT NULL DEFAULT 0,
  opted_out INTEGER NOT NULL DEFAULT 0,
  invalid INTEGER NOT NULL DEFAULT 0
);
-- (A customer's contact points are kept distinct by the code, which compares emails without case.)
CREATE INDEX contact_points_customer ON contact_points (customer_id);
CREATE INDEX contact_points_value ON contact_points (kind, value COLLATE NOCASE);

CREATE TABLE customer_tags (
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags (tag, customer_id);

CREATE TABLE external_ids (
  system TEXT NOT NULL,
  key TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  PRIMARY KEY (system, key)
) WITHOUT ROWID;
CREATE INDEX external_ids_customer ON external_ids (customer_id);

CREATE TABLE contact_roles (
  organization_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  role TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (organization_id, person_id)
) WITHOUT ROWID;
CREATE INDEX contact_roles_person ON contact_roles (person_id);

CREATE TABLE custom_fields (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  ordered_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  external_ref TEXT,
  items TEXT CHECK (items IS NULL OR json_valid(items)),
  created_at INTEGER NOT NULL
);
CREATE INDEX orders_customer_time ON orders (customer_id, ordered_at);
CREATE UNIQUE INDEX orders_external_ref ON orders (external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE activities (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'note', 'message')),
  at INTEGER NOT NULL,
  owner INTEGER,
  outcome TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX activities_customer_time ON activities (customer_id, at);

-- The change log: append-only. The only permitted update is the redaction of personal data from
-- the entries of a purged customer, announced in the same transaction through log_redactions.
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor INTEGER,
  origin TEXT NOT NULL DEFAULT '',
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  customer_id INTEGER,  -- the customer the change concerns, if any (for purges)
  op TEXT NOT NULL,
  fields TEXT NOT NULL DEFAULT '[]',
  before TEXT,
  after TEXT
);
CREATE INDEX changes_entity ON changes (entity, entity_id);
CREATE INDEX changes_customer ON changes (customer_id) WHERE customer_id IS NOT NULL;
CREATE TABLE log_redactions (customer_id INTEGER PRIMARY KEY);
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
WHEN NOT (
  NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor IS OLD.actor AND NEW.origin = OLD.origin
  AND NEW.entity = OLD.entity AND NEW.entity_id = OLD.entity_id AND NEW.customer_id IS OLD.customer_id AND NEW.op = OLD.op
  AND NEW.fields = OLD.fields AND NEW.before IS NULL AND NEW.after IS NULL
  AND EXISTS (SELECT 1 FROM log_redactions r WHERE r.customer_id = OLD.customer_id))
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;

CREATE TABLE consumers (
  name TEXT PRIMARY KEY,
  cursor INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
