#!/usr/bin/env bash
# The audit log's filters on a large SQLite log, with and without the version-10 indexes (docs/store.md, "Audit
# chain"): makes a clinic database with the real migrations (`needlework db info`), appends N synthetic audit
# entries with the sqlite3 shell (no chain: only the read path is timed), then times the store's filtered page
# query (`SELECT … FROM audit WHERE seq > ? AND … ORDER BY seq LIMIT 101`, as SqlStore::audit_entries builds it)
# for three filters — a record with no entry (the worst case: nothing to find), a rare action, one day's window
# late in the log — first with the indexes, then on a copy without them. Usage: scripts/bench-audit-filter.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
bin=${NEEDLEWORK_BIN:-build/release/apps/needlework/needlework}
[ -x "$bin" ] || bin=build/dev/apps/needlework/needlework
command -v sqlite3 >/dev/null || { echo "bench-audit-filter: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/clinic.db
"$bin" --data data --db "$db" db info >/dev/null
echo "bench-audit-filter: $n entries, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uptime)"
# One entry a minute from 2026-01-01; ten actors, a rare action every 50,000th entry, 20,000 client ids.
sqlite3 "$db" <<SQL
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $n)
INSERT INTO audit (seq, at, actor, action, entity, entity_id, before_sha256, after_sha256, prev_hash, hash)
SELECT k, strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || k || ' minutes'), 'user' || (k % 10),
       CASE WHEN k % 50000 = 0 THEN 'revoke_api_key' WHEN k % 3 = 0 THEN 'update' ELSE 'insert' END,
       CASE k % 4 WHEN 0 THEN 'clients' WHEN 1 THEN 'sessions' WHEN 2 THEN 'session_steps' ELSE 'rollers' END,
       'C-' || (k % 20000), '', hex(randomblob(32)), '', hex(randomblob(32))
FROM i;
SQL
last_day=$(sqlite3 "$db" "SELECT substr(max(at), 1, 10) FROM audit")
queries=$(cat <<SQL
.timer on
SELECT count(*) FROM (SELECT seq FROM audit WHERE seq > 0 AND entity = 'clients' AND entity_id = 'C-NONE' ORDER BY seq LIMIT 101);
SELECT count(*) FROM (SELECT seq FROM audit WHERE seq > 0 AND action = 'revoke_api_key' ORDER BY seq LIMIT 101);
SELECT count(*) FROM (SELECT seq FROM audit WHERE seq > 0 AND at >= '${last_day}T00:00:00Z' AND at < '${last_day}T23:59:59Z' ORDER BY seq LIMIT 101);
SQL
)
echo "with the indexes (record with no entry, rare action, one day):"
sqlite3 "$db" <<<"$queries" | grep -E '^Run Time|^[0-9]'
cp "$db" "$dir/plain.db"
sqlite3 "$dir/plain.db" "DROP INDEX audit_by_entity; DROP INDEX audit_by_entity_id; DROP INDEX audit_by_actor;
  DROP INDEX audit_by_action; DROP INDEX audit_by_at;"
echo "without them:"
sqlite3 "$dir/plain.db" <<<"$queries" | grep -E '^Run Time|^[0-9]'
