-- Rapport schema, version 4 (calendars).

-- Named business calendars (include/rapport/business_calendar.h). `definition` is the canonical JSON form
-- (BusinessCalendarDefToJson), checked before it is stored, so that rules and SLAs that name a calendar
-- always find one that builds.
CREATE TABLE calendars (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
