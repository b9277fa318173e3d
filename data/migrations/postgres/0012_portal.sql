-- #14, as data/migrations/sqlite/0012_portal.sql: the client portal (include/needlework/store/auth.hpp, docs/portal.md). As 0007's staff logins, none of
-- these tables holds a clinical record: they are not in the audit's record check (`record_tables`) nor in the
-- export, and every token is kept only as the hex hash of it. Issuing a sign-in link and a sign-in are audit
-- entries of the client (Store::insert_portal_link, Store::use_portal_link); the routine rest is not.

-- A single-use sign-in link sent to a client's email address, found by the hash of its token. `used_at` is set
-- by the statement that accepts it, so a second use finds it used; kept after use or expiry so a replayed link
-- is recognised, never accepted.
CREATE TABLE portal_links (
  token_hash      TEXT COLLATE "C" PRIMARY KEY CHECK (token_hash <> ''),
  client_id  TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
  created_at      TEXT COLLATE "C" NOT NULL,
  expires_at      TEXT COLLATE "C" NOT NULL,
  used_at         TEXT COLLATE "C",
  requested_from  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX portal_links_client ON portal_links(client_id);

-- A client's session in the portal, as auth_sessions is a staff login's (token and CSRF token as hashes).
CREATE TABLE client_sessions (
  token_hash    TEXT COLLATE "C" PRIMARY KEY CHECK (token_hash <> ''),
  client_id  TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
  csrf_hash     TEXT COLLATE "C" NOT NULL,
  created_at    TEXT COLLATE "C" NOT NULL,
  last_seen_at  TEXT COLLATE "C" NOT NULL,
  expires_at    TEXT COLLATE "C" NOT NULL,
  ended_at      TEXT COLLATE "C"
);
CREATE INDEX client_sessions_open_client ON client_sessions(client_id) WHERE ended_at IS NULL;

-- A client's calendar subscription (.ics), found by the hash of the token in its URL; revocable.
CREATE TABLE calendar_feeds (
  token_hash  TEXT COLLATE "C" PRIMARY KEY CHECK (token_hash <> ''),
  client_id  TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
  created_at  TEXT COLLATE "C" NOT NULL,
  revoked_at  TEXT COLLATE "C"
);
CREATE INDEX calendar_feeds_client ON calendar_feeds(client_id);
