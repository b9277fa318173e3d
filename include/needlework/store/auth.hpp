#pragma once
/// What the server keeps to know who is asking: a staff user's password (as an argon2id hash), the sessions a
/// login opens (each known only by a hash of its token), API keys for machine clients (hashed), and the
/// failed-login counters that throttle guessing. None of it is a clinical record: these tables are not in the
/// export or the record check of the audit (`record_tables`), and a token or key is never stored in the
/// clear. Changes a person makes to them (a password set, a key created or revoked) are audit entries of the
/// user they belong to; the routine ones (a session opened, touched or ended, a failed login counted) are
/// not, so a busy clinic's log stays about the clinic. Times come from the caller, as everywhere in the
/// store.

#include <optional>
#include <string>

#include "needlework/store/records.hpp"

namespace needlework::store {

/// A staff user's login: one per user, absent until a password is set.
struct Credential {
  Id user_id = 0;
  std::string password_hash;  ///< libsodium's crypto_pwhash_str text (argon2id, with its salt and cost)
  bool must_change = false;   ///< a one-time or reset password: the user must choose their own to go on
  DateTime changed_at;
  bool disabled = false;  ///< an admin switched the login off: no new sessions, existing ones refused
};

/// A login's session, found by the hash of the token the browser holds in its cookie.
struct AuthSession {
  std::string token_hash;  ///< hex hash of the cookie's token (the token itself is never stored)
  Id user_id = 0;
  std::string csrf_hash;  ///< hex hash of the CSRF token a write must carry in its header
  DateTime created_at;
  DateTime last_seen_at;  ///< moved forward (coarsely) as the session is used: the idle expiry counts from it
  DateTime expires_at;    ///< the absolute end, however active the session is
  std::optional<DateTime> ended_at;  ///< logged out, or ended by a password change or a disabled login
};

/// An API key for a machine client, shown once when created and kept only as a hash.
struct ApiKey {
  Id id = 0;
  Id user_id = 0;        ///< whose rights it carries
  std::string key_hash;  ///< hex hash of the key
  std::string label;     ///< what it is for ("booking system")
  DateTime created_at;
  std::string created_by;  ///< the admin who made it
  std::optional<DateTime> revoked_at;
};

/// Failed logins counted for one key ("user:<name>" or "addr:<address>") within a window.
struct LoginThrottle {
  std::string key;
  DateTime window_start;  ///< when the first failure of the current window was counted
  int failures = 0;
};

// ---- the client portal (#14, docs/portal.md)
// --------------------------------------------------------------- As the staff logins: not clinical records,
// tokens kept only as hashes. Issuing a sign-in link and a sign-in are audit entries of the client (who asked
// for access to their records, and when); a session touched or ended, a calendar feed made, are routine and
// not.

/// A single-use sign-in link sent to a client's email address.
struct PortalLink {
  std::string token_hash;  ///< hex hash of the link's token (the token itself is only in the message sent)
  std::string client_id;
  DateTime created_at;
  DateTime expires_at;              ///< a link is accepted only before this
  std::optional<DateTime> used_at;  ///< set by the one sign-in that accepted it
  std::string requested_from;       ///< the address the request came from ("staff:<name>" for a staff send)
};

/// A client's session in the portal, found by the hash of its cookie's token.
struct ClientSession {
  std::string token_hash;
  std::string client_id;
  std::string csrf_hash;
  DateTime created_at;
  DateTime last_seen_at;  ///< moved forward (coarsely) as the session is used: the idle expiry counts from it
  DateTime expires_at;
  std::optional<DateTime> ended_at;  ///< logged out
};

/// A client's calendar subscription: the token in the feed's URL, kept as a hash.
struct CalendarFeed {
  std::string token_hash;
  std::string client_id;
  DateTime created_at;
  std::optional<DateTime> revoked_at;
};

/// What ending a client's portal access closed.
struct PortalAccessEnded {
  std::string client_id;
  std::int64_t sessions_ended = 0;
  std::int64_t feeds_revoked = 0;
};

}  // namespace needlework::store
