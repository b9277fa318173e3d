#!/usr/bin/env bash
# The server's soak (issue #15, "Load and soak"; figures in docs/reliability.md, "Soak"): `needlework serve` on
# loopback under a steady mix for MINUTES minutes, three wrk processes at once (so each kind has its own
# latency figures):
#   - reads:   GET /api/v1/clients/{id}/history, GET /api/v1/clients?limit=20 and GET /api/v1/health, at random;
#   - engines: POST /api/v1/screen (examples/intake-cleared.json), a pure engine call;
#   - writes:  POST /api/v1/sessions/{id}/chart with a note, on running sessions, and POST /api/v1/clients
#              (a new client each time), through the group committer.
# Each connection waits DELAY_MS between its requests (wrk's delay() hook), so the load is steady rather than
# the most the machine can take: the soak looks for leaks, errors and a drifting tail, not for a peak rate.
# The server's RSS (VmRSS of /proc/PID/status) is sampled every 10 s. At the end it prints, per kind, the
# requests, the rate, p50/p99/p99.9 and the errors (connect, read, write, timeouts, and every status other
# than 2xx/3xx, by status); the RSS at the start, end and peak; the RSS slope (least squares, KB/min) over the
# whole run and over the run after its first 2 minutes (warm-up: caches filling); and the p99s against the
# server's goal (docs/performance.md: p99 < 10 ms). It exits 1 if there was any error.
#
# Usage: scripts/soak.sh [--minutes N] [build-dir]     (default 10 minutes, build/server-rel: configured as
#                                                        Release if missing, as scripts/bench-server.sh does)
# Env:   THREADS (server threads, 2), CONNECTIONS (per kind, "16 8 8": reads, engines, writes; a kind with 0 is
#        left out), DELAY_MS (20),
#        CLIENTS (clients made beforehand, with an intake, consent, roller and running session each: 64),
#        OUT (a folder to keep the RSS samples, wrk outputs and the server's stderr in; default: a temp folder,
#        removed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
minutes=10
build=build/server-rel
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --minutes=*) minutes=${1#*=}; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) build=$1; shift ;;
  esac
done
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 ]] || { echo "soak: --minutes takes a whole number ≥ 1" >&2; exit 2; }
threads=${THREADS:-2}
read -r conn_reads conn_engines conn_writes <<<"${CONNECTIONS:-16 8 8}"
delay_ms=${DELAY_MS:-20}
clients=${CLIENTS:-64}
for n in "$conn_reads" "$conn_engines" "$conn_writes" "$delay_ms" "$clients"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "soak: CONNECTIONS, DELAY_MS and CLIENTS take whole numbers (got '$n')" >&2; exit 2; }
done
[[ $((conn_reads + conn_engines + conn_writes)) -gt 0 ]] || { echo "soak: CONNECTIONS are all 0" >&2; exit 2; }

for tool in wrk curl jq python3; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is not installed" >&2; exit 1; }
done
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target needlework >/dev/null
nw="$build/apps/needlework/needlework"

tmp=$(mktemp -d)
keep=${OUT:-}
server_pid="" sampler_pid=""
cleanup() {
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$keep" ]]; then mkdir -p "$keep" && cp "$tmp"/*.txt "$tmp"/serve.err "$keep"/ 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$nw" serve --db "$tmp/soak.db" --photo-dir "$tmp/photos" --listen 127.0.0.1:0 --threads "$threads" \
  --access-log "$tmp/access.log" >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '^needlework serve: listening on ' "$tmp/serve.out" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/serve.err" >&2; echo "soak: serve exited" >&2; exit 1; }
  sleep 0.1
done
base=$(sed -n 's/^needlework serve: listening on //p' "$tmp/serve.out" | head -n 1)
[[ -n "$base" ]] || { echo "soak: serve did not start" >&2; exit 1; }

# The first admin (its one-time password, then a password of its own) makes the API key the load uses.
otp=$(sed -n 's/^one-time password: //p' "$tmp/serve.out" | head -n 1)
jar="$tmp/jar" password="soak $(head -c 12 /dev/urandom | base64)"
csrf=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg p "$otp" '{name: "admin", password: $p}')" "$base/api/v1/auth/login" | jq -r .csrf_token)
csrf=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d "$(jq -n --arg o "$otp" --arg n "$password" '{current_password: $o, new_password: $n}')" \
  "$base/api/v1/auth/password" | jq -r .csrf_token)
key=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"label": "soak.sh"}' "$base/api/v1/api-keys" | jq -r .key)
[[ $key == nwk_* ]] || { echo "soak: no API key" >&2; exit 1; }

# The clinic the load works on: $clients clients, each with an intake, consent, roller and a running session.
python3 "$root/scripts/running-sessions.py" "$base" "$key" "$clients" "$root/examples/intake-cleared.json" K "Soak Client" SOAK

# ---- the wrk scripts: one per kind, each counting statuses and reporting one RESULT line --------------------
cat >"$tmp/common.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $key"
local threads = {}
local made = 0
setup = function(thread)
  thread:set("seed", made); made = made + 1
  table.insert(threads, thread)
end
init = function(args)
  math.randomseed(os.time() * 7 + (seed or 0))
  statuses = {}
end
delay = function() return $delay_ms end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local e = summary.errors
  local counts = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do counts[s] = (counts[s] or 0) + n end
  end
  local parts = {}
  for s, n in pairs(counts) do table.insert(parts, s .. "=" .. n) end
  table.sort(parts)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %.3f %d %d %d %d %s\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, e.connect, e.read + e.write, e.timeout,
    e.status, table.concat(parts, ",")))
end
LUA
intake=$(jq -c . examples/intake-cleared.json)
{
  cat "$tmp/common.lua"
  cat <<LUA
request = function()
  local r = math.random(1, 10)
  if r <= 6 then
    return wrk.format("GET", string.format("/api/v1/clients/K-%05d/history", math.random(1, $clients)))
  elseif r <= 9 then
    return wrk.format("GET", "/api/v1/clients?limit=20")
  end
  return wrk.format("GET", "/api/v1/health")
end
LUA
} >"$tmp/reads.lua"
{
  cat "$tmp/common.lua"
  cat <<LUA
wrk.method = "POST"
wrk.body = [[$intake]]
wrk.headers["Content-Type"] = "application/json"
LUA
} >"$tmp/engines.lua"
{
  cat "$tmp/common.lua"
  cat <<LUA
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("POST", "/api/v1/clients",
      nil, string.format('{"id": "N-%d-%d", "name": "Walk-in %d"}', seed or 0, n, n))
  end
  return wrk.format("POST", "/api/v1/sessions/" .. math.random(1, $clients) .. "/chart", nil,
    '{"notes": "even coverage, mild erythema"}')
end
LUA
} >"$tmp/writes.lua"
# Each script once by hand first: a broken script must stop the soak before it starts.
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/api/v1/clients/K-00001/history") == 200 ]] \
  || { echo "soak: history read fails" >&2; exit 1; }

# ---- the run ----------------------------------------------------------------------------------------------
seconds=$((minutes * 60))
echo "soak: commit $(git rev-parse --short HEAD)$(git diff --quiet -- src include apps || echo ' (+ local changes)'); $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "soak: $minutes min; server threads $threads; connections reads/engines/writes $conn_reads/$conn_engines/$conn_writes, $delay_ms ms between a connection's requests; $clients clients"
(
  t0=$(date +%s)
  while :; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null) || break
    echo "$(( $(date +%s) - t0 )) $rss"
    sleep 10
  done
) >"$tmp/rss.txt" &
sampler_pid=$!
# A kind given 0 connections is left out (CONNECTIONS="16 8 0": reads and engines only, the database does not
# grow, so the RSS shows what requests leave behind rather than a page cache following a growing file).
pids=()
load() {  # load KIND CONNECTIONS THREADS URL
  if [[ $2 -gt 0 ]]; then
    wrk -t "$3" -c "$2" -d "${seconds}s" --timeout 5s -s "$tmp/$1.lua" "$4" >"$tmp/wrk-$1.txt" 2>&1 &
    pids+=($!)
  else
    echo "SKIPPED" >"$tmp/wrk-$1.txt"
  fi
}
load reads "$conn_reads" 2 "$base"
load engines "$conn_engines" 1 "$base/api/v1/screen"
load writes "$conn_writes" 1 "$base"
wait "${pids[@]}" || true
sleep 1  # one more RSS sample after the load
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
echo "soak: load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -0 "$server_pid" 2>/dev/null || { echo "soak: the server died" >&2; cat "$tmp/serve.err" >&2; exit 1; }
health=$(curl -sf "$base/api/v1/health" | jq -c .group_commit)
echo "soak: group commit after the run: $health"
# The database's size: the server's SQLite page caches (one per connection, filled as pages are read) grow with
# it, which is what a rising RSS is to be weighed against.
db_kib=$(( ( $(stat -c %s "$tmp/soak.db") + $(stat -c %s "$tmp/soak.db-wal" 2>/dev/null || echo 0) ) / 1024 ))
echo "soak: database after the run: $((db_kib / 1024)) MiB (file and WAL) for $threads read connections and the writer's"

python3 - "$tmp" "$minutes" <<'PY'
import sys
tmp, minutes = sys.argv[1], int(sys.argv[2])
errors = 0
print()
print("| kind | requests | req/s | p50 ms | p99 ms | p99.9 ms | max ms | connect / read+write errors | timeouts | statuses |")
print("|---|---|---|---|---|---|---|---|---|---|")
p99s = {}
for kind in ("reads", "engines", "writes"):
    text = open(f"{tmp}/wrk-{kind}.txt").read()
    if text.strip() == "SKIPPED":
        print(f"| {kind} | (not run: 0 connections) | | | | | | | | |")
        continue
    line = next((l for l in text.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        print(f"soak: wrk ({kind}) reported nothing:\n{text}", file=sys.stderr); sys.exit(1)
    f = line.split()
    n, us = int(f[1]), int(f[2])
    p50, p99, p999, mx = map(float, f[3:7])
    connect, rw, timeouts, bad_status = map(int, f[7:11])
    statuses = f[11] if len(f) > 11 else ""
    non_2xx = sum(int(c) for s, c in (p.split("=") for p in statuses.split(",") if p) if not 200 <= int(s) < 400)
    errors += connect + rw + timeouts + non_2xx
    p99s[kind] = p99
    print(f"| {kind} | {n:,} | {n / (us / 1e6):,.0f} | {p50:.2f} | {p99:.2f} | {p999:.2f} | {mx:.1f} | {connect} / {rw} | {timeouts} | {statuses} |")
samples = [tuple(map(float, l.split())) for l in open(f"{tmp}/rss.txt") if l.strip()]
def slope(points):
    if len(points) < 3: return float("nan")
    n = len(points); mx = sum(p[0] for p in points) / n; my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx * 60  # KB per minute
rss = [s[1] for s in samples]
print()
print(f"RSS (every 10 s, {len(samples)} samples): start {rss[0] / 1024:.1f} MiB, end {rss[-1] / 1024:.1f} MiB, peak {max(rss) / 1024:.1f} MiB")
def per_min(points):
    v = slope(points)
    return "too few samples" if v != v else f"{v:+.1f} KB/min"
print(f"RSS slope (least squares): {per_min(samples)} over the whole run; "
      f"{per_min([s for s in samples if s[0] >= 120])} after the first 2 minutes")
print("p99 against the server's goal (< 10 ms): " + ", ".join(
    f"{k} {v:.2f} ms ({'met' if v < 10 else 'not met'})" for k, v in p99s.items()))
print(f"errors: {errors}")
sys.exit(1 if errors else 0)
PY
