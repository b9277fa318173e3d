#!/usr/bin/env bash
# The HTTP server's benchmark (issue #12, "Performance"; figures in docs/performance.md, "HTTP server"): wrk on
# loopback, 16, 64 and 256 connections, DURATION seconds per point, everything in one run:
#   - a static asset from `needlework serve --web-root` and the same file from nginx (nginx-light, run as this
#     user with its own prefix, configuration, pid and logs in a temporary folder, on a free port);
#   - POST /api/v1/screen (a pure engine call, examples/intake-cleared.json) with an API key;
#   - GET /api/v1/clients/{id}/history of random clients of the generated clinic (bench/store_bench.cpp makes
#     and caches it), against the store's own in-process read rate with the same number of threads, measured
#     in this run (store_bench's BM_ClientHistory/sqlite/warm and …/threads:N);
#   - session writes from 256 connections (POST /api/v1/sessions/{id}/chart with a note, on running sessions of
#     a fresh database), against one write per transaction (store_bench's BM_SingleRowCommit/sqlite) in this run.
# Each point prints requests/s, p50/p99/p999, the mean, errors (connect, read, write, non-2xx) and timeouts,
# and the whole table is printed at the end (Markdown, for docs/performance.md).
#
# Usage: scripts/bench-server.sh [build-dir]      (default build/server-rel; configured as Release if missing)
# Env:   DURATION (10 s per point), CONNECTIONS ("16 64 256"), THREADS (server threads, 2), CLIENTS (100000) and
#        SESSIONS (1000000): the generated clinic (generating a 100k clinic takes about 15 minutes, once: it is
#        cached in <build>/store-bench-cache, shared with scripts/bench-store.sh), ASSET_BYTES (the static
#        asset's size when the build has no web UI to take it from, 65536), WRITE_SESSIONS (256).
# The clinic's file is served as it is: the first run gives it a bench admin and an API key (kept beside it in
# the cache, so later runs reuse them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:-build/server-rel}
duration=${DURATION:-10}
connections=${CONNECTIONS:-16 64 256}
threads=${THREADS:-2}
clients=${CLIENTS:-100000}
sessions=${SESSIONS:-1000000}
asset_bytes=${ASSET_BYTES:-65536}
write_sessions=${WRITE_SESSIONS:-256}

for tool in wrk nginx curl jq python3; do
  command -v "$tool" >/dev/null || { echo "bench-server: $tool is not installed" >&2; exit 1; }
done
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target needlework store_bench >/dev/null
nw="$build/apps/needlework/needlework"
cache="$(cd "$build" && pwd)/store-bench-cache"
mkdir -p "$cache"
clinic="$cache/clinic-g1_${clients}c_${sessions}s.db"

tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx's workers may run as another user
server_pid="" nginx_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  if [[ -n "$nginx_pid" ]]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts `needlework serve` on database $1 (more flags after it); sets $base once it listens.
start_server() {
  local db=$1; shift
  : >"$tmp/serve.out"
  "$nw" serve --db "$db" --listen 127.0.0.1:0 --threads "$threads" --access-log "$tmp/access.log" "$@" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server_pid=$!
  for _ in $(seq 1 600); do
    if grep -q '^needlework serve: listening on ' "$tmp/serve.out"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$tmp/serve.err" >&2; echo "bench-server: serve exited" >&2; exit 1; fi
    sleep 0.1
  done
  base=$(sed -n 's/^needlework serve: listening on //p' "$tmp/serve.out" | head -n 1)
  [[ -n "$base" ]] || { echo "bench-server: serve did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }
}

# Logs in as the first admin with the one-time password serve printed, sets password $1, prints an API key.
first_admin_key() {
  local otp csrf jar="$tmp/jar"
  otp=$(sed -n 's/^one-time password: //p' "$tmp/serve.out" | head -n 1)
  [[ -n "$otp" ]] || { echo "bench-server: no one-time password printed" >&2; exit 1; }
  rm -f "$jar"
  csrf=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' \
    -d "$(jq -n --arg p "$otp" '{name: "admin", password: $p}')" "$base/api/v1/auth/login" | jq -r .csrf_token)
  csrf=$(curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d "$(jq -n --arg o "$otp" --arg n "$1" '{current_password: $o, new_password: $n}')" \
    "$base/api/v1/auth/password" | jq -r .csrf_token)
  curl -sf -c "$jar" -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"label": "bench-server.sh"}' "$base/api/v1/api-keys" | jq -r .key
}

# wrk's report, one line: requests duration_us p50 p99 p999 mean (ms) errors timeouts.
cat >"$tmp/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %.3f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.mean / 1000, e.connect + e.read + e.write + e.status, e.timeout))
end
LUA

rows=()
# point NAME TARGET CONNECTIONS URL [lua script]: one wrk run; prints and keeps its row.
point() {
  local name=$1 target=$2 c=$3 url=$4 script=${5:-} out line
  local args=(-t 2 -c "$c" -d "${duration}s" --timeout 2s -s "$tmp/run.lua" "$url")
  cat ${script:+"$script"} "$tmp/report.lua" >"$tmp/run.lua"
  out=$(wrk "${args[@]}" 2>&1) || { echo "$out" >&2; exit 1; }
  line=$(grep '^RESULT ' <<<"$out")
  read -r _ n us p50 p99 p999 mean errors timeouts <<<"$line"
  local rps
  rps=$(python3 -c "print(round($n / ($us / 1e6)))")
  rows+=("| $name | $target | $c | $rps | $p50 | $p99 | $p999 | $mean | $errors | $timeouts |")
  printf '%-22s %-10s %4s conns  %8s req/s  p50 %7s  p99 %7s  p999 %7s  mean %7s ms  errors %s  timeouts %s\n' \
    "$name" "$target" "$c" "$rps" "$p50" "$p99" "$p999" "$mean" "$errors" "$timeouts"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- src include apps bench || echo ' (+ local changes)'); $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}'), $(nginx -v 2>&1 | sed 's/.*: //'), server threads $threads, $duration s per point"

# ---- the static asset, from the server and from nginx ------------------------------------------------------
mkdir -p "$tmp/web"
asset=""
if [[ -d "$build/web" ]]; then asset=$(find "$build/web" -type f -name '*.js' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-); fi
if [[ -n "$asset" ]]; then cp "$asset" "$tmp/web/asset.js"; else head -c "$asset_bytes" /dev/urandom | base64 -w 0 >"$tmp/web/asset.js"; truncate -s "$asset_bytes" "$tmp/web/asset.js"; fi
echo "static asset: $(stat -c %s "$tmp/web/asset.js") bytes"
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs"
nginx_user=""
if [[ "$(id -u)" -eq 0 ]]; then nginx_user="user root;"; fi
cat >"$tmp/nginx/nginx.conf" <<CONF
$nginx_user
worker_processes $threads;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log $tmp/nginx/logs/access.log;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  types { application/javascript js; }
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/web;
  }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' 2>"$tmp/nginx/stderr" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/asset.js" && break; sleep 0.1; done

start_server "$tmp/fresh.db" --web-root "$tmp/web"
key=$(first_admin_key "bench-server $(head -c 12 /dev/urandom | base64)")
cmp -s <(curl -sf "$base/asset.js") "$tmp/web/asset.js" || { echo "bench-server: serve does not serve the asset" >&2; exit 1; }

echo
echo "== static asset"
for c in $connections; do
  point "static asset" nginx "$c" "http://127.0.0.1:$nginx_port/asset.js"
  point "static asset" needlework "$c" "$base/asset.js"
done

# ---- a pure engine call --------------------------------------------------------------------------------------
intake=$(jq -c . examples/intake-cleared.json)
cat >"$tmp/screen.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$intake]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
[[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
  --data-binary @examples/intake-cleared.json "$base/api/v1/screen") == 200 ]] || { echo "bench-server: /screen fails" >&2; exit 1; }
echo
echo "== POST /api/v1/screen"
for c in $connections; do point "POST /screen" needlework "$c" "$base/api/v1/screen" "$tmp/screen.lua"; done

# ---- session writes: $write_sessions running sessions, then chart notes from 256 connections -------------------
echo
echo "== session writes (setting up $write_sessions running sessions)"
python3 "$root/scripts/running-sessions.py" "$base" "$key" "$write_sessions" "$root/examples/intake-cleared.json" W "Bench Client" BENCH
cat >"$tmp/chart.lua" <<LUA
wrk.method = "POST"
wrk.body = [[{"notes": "even coverage, mild erythema"}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local made = 0
setup = function(thread) thread:set("seed", made); made = made + 1 end
init = function(args) math.randomseed(os.time() * 7 + (seed or 0)) end
request = function()
  return wrk.format(nil, "/api/v1/sessions/" .. math.random(1, $write_sessions) .. "/chart")
end
LUA
batches_before=$(curl -sf "$base/api/v1/health" | jq '.group_commit.batches')
writes_before=$(curl -sf "$base/api/v1/health" | jq '.group_commit.writes')
point "POST chart (write)" needlework 256 "$base/api/v1/sessions/1/chart" "$tmp/chart.lua"
batches_after=$(curl -sf "$base/api/v1/health" | jq '.group_commit.batches')
writes_after=$(curl -sf "$base/api/v1/health" | jq '.group_commit.writes')
echo "group commit: $((writes_after - writes_before)) writes in $((batches_after - batches_before)) batches"
stop_server

# ---- the store alone, this run: history reads in process, one write per transaction ------------------------------
echo
echo "== the store in process (store_bench; generates the $clients-client clinic first if it is not cached)"
sb_out="$tmp/store_bench.json"
"$build/bench/store_bench" --clients="$clients" --sessions="$sessions" --cache-dir="$cache" \
  --history-threads="$threads" --benchmark_filter='BM_ClientHistory/sqlite/warm|BM_SingleRowCommit/sqlite' \
  --benchmark_min_time=3 --benchmark_out="$sb_out" --benchmark_out_format=json >&2
read -r history_1 history_n single_row < <(python3 - "$sb_out" "$threads" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
def rate(pred):
    xs = [b["items_per_second"] for b in rows if pred(b["name"])]
    return round(xs[0]) if xs else 0
t = sys.argv[2]
print(rate(lambda n: n.startswith("BM_ClientHistory/sqlite/warm") and "threads" not in n),
      rate(lambda n: n.startswith(f"BM_ClientHistory/sqlite/warm") and n.endswith(f"threads:{t}")) or 0,
      rate(lambda n: n.startswith("BM_SingleRowCommit/sqlite")))
PY
)
echo "in process: history $history_1 reads/s on 1 thread, $history_n on $threads threads; one session write per transaction: $single_row writes/s"

# ---- history reads through HTTP on the generated clinic ---------------------------------------------------------
echo
echo "== GET /api/v1/clients/{id}/history on the $clients-client clinic"
start_server "$clinic"
keyfile="$clinic.bench-key"
if grep -q '^one-time password: ' "$tmp/serve.out"; then
  first_admin_key "bench-server $(head -c 12 /dev/urandom | base64)" >"$keyfile"
fi
[[ -s "$keyfile" ]] || { echo "bench-server: the clinic has an admin but no key in $keyfile" >&2; exit 1; }
clinic_key=$(cat "$keyfile")
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $clinic_key" "$base/api/v1/clients/C-000001/history") == 200 ]] \
  || { echo "bench-server: history through HTTP fails" >&2; exit 1; }
cat >"$tmp/history.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $clinic_key"
local made = 0
setup = function(thread) thread:set("seed", made); made = made + 1 end
init = function(args) math.randomseed(os.time() * 7 + (seed or 0)) end
request = function()
  return wrk.format("GET", string.format("/api/v1/clients/C-%06d/history", math.random(1, $clients)))
end
LUA
# One pass to warm the server's connections and the page cache as store_bench warmed it.
wrk -t 2 -c 16 -d 3s -s "$tmp/history.lua" "$base/" >/dev/null
for c in $connections; do point "GET history" needlework "$c" "$base/" "$tmp/history.lua"; done
stop_server
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| workload | server | connections | req/s | p50 ms | p99 ms | p999 ms | mean ms | errors | timeouts |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "In process, same run: history $history_1 reads/s (1 thread), $history_n reads/s ($threads threads); one session write per transaction $single_row writes/s."
