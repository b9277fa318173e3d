#!/usr/bin/env bash
# Concurrent writers killed with SIGKILL, repeatably: N `needlework` writer loops append clients and signed
# consents to one database while a killer SIGKILLs a random writer's running command every 0.2–0.5 s (drawn
# from a seeded generator; the seed is printed, pass it back with --seed to replay the same kill intervals and
# choices). A write counts as acknowledged only when its command exited 0 after printing its id. At the end
# every acknowledged client and consent must be in the database with the values written, no record may be
# half-written (a consent without its client), and `audit verify` must pass. Prints the figures
# docs/store.md quotes; exits non-zero if anything acknowledged is missing or the chain does not verify.
#
#   bash scripts/stress-store.sh [--bin PATH] [--db PATH|URI] [--writers N] [--seconds S] [--seed N]
#
# Bounded: the writers stop after --seconds (default 20); nothing leaves the machine. The database defaults to
# a new SQLite file in a temp folder; a postgresql:// URI runs the same on PostgreSQL (an empty database).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/release/apps/needlework/needlework
db=""
writers=12
seconds=20
seed=$(( $(date +%s) % 100000 ))
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "stress-store: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "stress-store: no binary at $bin (build it: cmake --preset release && cmake --build --preset release --target needlework)" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
[ -n "$db" ] || db="$work/clinic.db"
echo "consent text for the stress run" > "$work/consent.txt"
nw=("$bin" --db "$db" --actor stress)
"${nw[@]}" audit verify > /dev/null  # creates and migrates the database before the writers race

# One writer: a loop of commands; each command's pid is written where the killer finds it. An acknowledgement
# is recorded only after the command exited 0 (its output is the id it committed).
writer() {
  local w=$1 i=0 out rc
  while [ ! -e "$work/stop" ]; do
    i=$((i + 1))
    local id="S-$w-$i"
    "${nw[@]}" clients add "$id" --name "Stress $w $i" --born 1990-01-01 > "$work/out.$w" 2>&1 &
    echo $! > "$work/pid.$w"; rc=0; { wait $!; } 2>/dev/null || rc=$?
    if [ $rc -eq 0 ]; then echo "client $id" >> "$work/acks.$w"; else echo "$rc" >> "$work/failed.$w"; continue; fi
    "${nw[@]}" --json consent sign "$id" --text-file "$work/consent.txt" --signer "Stress $w $i" \
      --now 2026-01-01T10:00:00Z > "$work/out.$w" 2>&1 &
    echo $! > "$work/pid.$w"; rc=0; { wait $!; } 2>/dev/null || rc=$?
    if [ $rc -eq 0 ]; then
      echo "consent $id $(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' < "$work/out.$w")" \
        >> "$work/acks.$w"
    else
      echo "$rc" >> "$work/failed.$w"
    fi
  done
}

echo "stress-store: $writers writers for ${seconds}s on $db, SIGKILL every 0.2-0.5 s, seed $seed"
for w in $(seq 1 "$writers"); do writer "$w" & done

# The killer: a seeded RANDOM draws the interval (200-500 ms) and the victim.
RANDOM=$seed
kills=0
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  sleep "0.$(printf '%03d' $((200 + RANDOM % 301)))"
  victim=$((1 + RANDOM % writers))
  if pid=$(cat "$work/pid.$victim" 2>/dev/null) && kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
done
touch "$work/stop"
wait $(jobs -p) 2>/dev/null || true

cat "$work"/acks.* 2>/dev/null > "$work/acks" || true
acked_clients=$(grep -c '^client ' "$work/acks" || true)
acked_consents=$(grep -c '^consent ' "$work/acks" || true)
failed=$(cat "$work"/failed.* 2>/dev/null | grep -vc '^137$' || true)

# Everything acknowledged must be there, whole.
"${nw[@]}" export --format json > "$work/export.json"
check=0
/usr/bin/python3 - "$work/acks" "$work/export.json" <<'EOF' || check=$?
import json, sys
acks = [line.split() for line in open(sys.argv[1])]
doc = json.load(open(sys.argv[2]))
doc = doc.get("tables", doc)
clients = {c["id"]: c for c in doc["clients"]}
consents = {c["id"]: c for c in doc["consents"]}
missing = []
for a in acks:
    if a[0] == "client":
        c = clients.get(a[1])
        if c is None or c["name"] != "Stress " + " ".join(a[1].split("-")[1:]):
            missing.append(" ".join(a))
    else:
        c = consents.get(int(a[2]))
        if c is None or c["client_id"] != a[1]:
            missing.append(" ".join(a))
orphans = [c["id"] for c in consents.values() if c["client_id"] not in clients]
print(f"stress-store: acknowledged records missing or changed: {len(missing)}; consents without client: {len(orphans)}")
for m in missing[:10]:
    print("  missing:", m)
sys.exit(1 if missing or orphans else 0)
EOF
verify=0
"${nw[@]}" audit verify > "$work/verify" 2>&1 || verify=$?
echo "stress-store: $acked_clients clients and $acked_consents consents acknowledged, $kills writer commands killed," \
  "$failed other failures; audit verify: $(tail -1 "$work/verify") (exit $verify)"
[ $check -eq 0 ] && [ $verify -eq 0 ] && [ "$failed" -eq 0 ]
