-- #12: staff logins for `needlework serve` (include/needlework/store/auth.hpp, docs/store.md). None of these
-- tables holds a clinical record: they are not in the audit's record check (`record_tables`) nor in the
-- export, and nothing secret is kept in the clear (a password as its argon2id hash, a session token, CSRF
-- token or API key as the hex hash of it). The server keeps no state of its own between requests: sessions and
-- failed-login counters live here, so several instances can serve one database.

-- A user's password: one row per user, absent until one is set. Setting it is an audit entry of the user.
CREATE TABLE credentials (
  user_id        INTEGER PRIMARY KEY REFERENCES users(id),
  password_hash  TEXT NOT NULL CHECK (password_hash <> ''),
  must_change    INTEGER NOT NULL DEFAULT 0 CHECK (must_change IN (0, 1)),
  changed_at     TEXT NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- A login's session, found by the hash of its cookie's token (the primary key is that lookup). Kept after it
-- ends (ended_at) so a replayed cookie is recognised as ended, not unknown.
CREATE TABLE auth_sessions (
  token_hash    TEXT PRIMARY KEY CHECK (token_hash <> ''),
  user_id       INTEGER NOT NULL REFERENCES users(id),
  csrf_hash     TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  ended_at      TEXT
);
-- A password change or a disabled login ends the user's open sessions (Store::end_auth_sessions_of): only
-- the open ones are indexed, so the index stays the size of who is logged in, not of every login ever.
CREATE INDEX auth_sessions_open_user ON auth_sessions(user_id) WHERE ended_at IS NULL;

-- API keys of machine clients, found by the hash of the bearer token (UNIQUE is that lookup's index). Revoked
-- keys stay (revoked_at), so a revoked key is refused as revoked and its history stays readable.
CREATE TABLE api_keys (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  key_hash    TEXT NOT NULL UNIQUE CHECK (key_hash <> ''),
  label       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  revoked_at  TEXT
);
CREATE INDEX api_keys_user ON api_keys(user_id);

-- Failed logins per key ("user:<name>", "addr:<address>") within the current window, to throttle guessing.
CREATE TABLE login_throttle (
  key           TEXT PRIMARY KEY CHECK (key <> ''),
  window_start  TEXT NOT NULL,
  failures      INTEGER NOT NULL CHECK (failures > 0)
);
