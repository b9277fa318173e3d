-- #9: the depth-guard warnings (pack rules with action "warn") the practitioner acknowledged when the session
-- started, as a JSON array of rule ids ('[]' for none); who and when are the session's own actor and start.
ALTER TABLE sessions ADD COLUMN acknowledged_json TEXT NOT NULL DEFAULT '[]';
-- #11: when the roller was last assigned to its client (assigned, or sterilised and so assigned again), as UTC
-- ISO text. NULL for rows written before this version: the audit log does not say which of a roller's updates
-- was its assignment, and filling the column in would change the row's digest and break its audit entry, so
-- an unknown time is read as "assigned when registered".
ALTER TABLE rollers ADD COLUMN assigned_at TEXT;
