#!/usr/bin/env bash
# Clinic store benchmarks (bench/store_bench.cpp; figures in docs/performance.md, "Clinic store"), SQLite and
# PostgreSQL side by side in one run:
#   - a client's history (ClinicStore::history, what `needlework clients show` reads) of random clients of a
#     generated clinic of 100k clients and 1M sessions: p50 / p99 / p999 from per-read latencies, warm (the
#     tables it reads in the OS page cache) and cold (nothing of the database cached);
#   - durable writes: the disk's fsync'd single-row commits/s (one thread, one transaction per row, no
#     Needlework), the same through Store::insert_session, and session writes from 16/64/256 threads through
#     the GroupCommitter (a write counts once acknowledged, i.e. committed), and 16/64/256 in flight from one
#     event-loop thread with completion callbacks, each with the ratio to the single-row
#     rate.
# The clinic is generated once and cached (a SQLite file, and a database on a PostgreSQL cluster kept in the
# build folder), keyed by the generator version and size; generating it takes a while and shows progress.
#
# Usage: scripts/bench-store.sh [build-dir]          (default build/store-rel; configured here if missing)
# Env:   CLIENTS (100000), SESSIONS (1000000), REPS (3), MIN_TIME (2 s per benchmark), WRITERS (16,64,256),
#        GROUP_WRITES (writes per group-commit run, 40000), PG (1: also PostgreSQL; 0: SQLite only),
#        FILTER (a Google Benchmark filter, default all)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/store-rel}
clients=${CLIENTS:-100000}
sessions=${SESSIONS:-1000000}
reps=${REPS:-3}
min_time=${MIN_TIME:-2}
writers=${WRITERS:-16,64,256}
group_writes=${GROUP_WRITES:-40000}
filter=${FILTER:-.}
with_pg=${PG:-1}

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target store_bench >/dev/null
cache="$(cd "$build" && pwd)/store-bench-cache"
mkdir -p "$cache"

as_owner() { if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgdir="" out=""
cleanup() {
  rm -f "$out"
  if [[ -n "$pgdir" ]]; then as_owner "$bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

pg_args=()
if [[ "$with_pg" == 1 ]]; then
  # One cluster kept in the build folder, so the generated clinic survives between runs: created by
  # scripts/pg-cluster.sh the first time, then started and stopped here with its data kept.
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [[ -f "$cache/pg-dir" && -d "$(cat "$cache/pg-dir")/data" ]]; then
    pgdir=$(cat "$cache/pg-dir")
    if ! as_owner "$bin/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 120 start >/dev/null
    fi
  else
    env_text=$(TMPDIR="$cache" bash scripts/pg-cluster.sh start)
    pgdir=$(sed -n "s/^export NEEDLEWORK_PG_DIR='\(.*\)'$/\1/p" <<<"$env_text")
    echo "$pgdir" >"$cache/pg-dir"
  fi
  conninfo="host=127.0.0.1 port=$(cat "$pgdir/port") user=postgres dbname=postgres"
  pg_args=(--pg="$conninfo")
  echo "postgres: $("$bin/postgres" --version), fsync=$(psql "$conninfo" -Atc 'SHOW fsync'), synchronous_commit=$(psql "$conninfo" -Atc 'SHOW synchronous_commit'), data in $pgdir"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM; disk: $(df -h "$cache" | awk 'NR==2 {print $1}')"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- src include bench || echo ' (+ local changes)'); $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
"$build/bench/store_bench" --clients="$clients" --sessions="$sessions" --cache-dir="$cache" "${pg_args[@]}" \
  --writers="$writers" --group-writes="$group_writes" --benchmark_filter="$filter" \
  --benchmark_min_time="$min_time" --benchmark_repetitions="$reps" --benchmark_out="$out" \
  --benchmark_out_format=json --benchmark_report_aggregates_only=false >&2
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("run_type") == "iteration"]
def runs(prefix):
    return [b for b in rows if b["run_name"].startswith(prefix)]
def med(prefix, key):
    vals = [b[key] for b in runs(prefix) if key in b]
    return statistics.median(vals) if vals else None
def all_of(prefix, key, scale=1.0, fmt="{:.0f}"):
    return " / ".join(fmt.format(b[key] * scale) for b in runs(prefix) if key in b)
for backend in ("sqlite", "postgres"):
    if not runs(f"BM_ClientHistory/{backend}") and not runs(f"BM_SingleRowCommit/{backend}"):
        continue
    print(f"\n== {backend}")
    for cache in ("warm", "cold"):
        h = f"BM_ClientHistory/{backend}/{cache}"
        if not runs(h):
            continue
        goal = ""
        if backend == "sqlite" and cache == "warm":
            goal = "   goal p99 < 1000 us: " + ("met" if med(h, "p99_us") < 1000 else "NOT met")
        print(f"client history, {cache}: p50 {med(h, 'p50_us'):.0f} us, p99 {med(h, 'p99_us'):.0f} us, p999 {med(h, 'p999_us'):.0f} us"
              f" (median of {len(runs(h))} runs; p99 each run: {all_of(h, 'p99_us')} us;"
              f" {med(h, 'rows_per_read'):.0f} rows, {med(h, 'sessions_per_read'):.1f} sessions per read){goal}")
    raw = med(f"BM_RawSingleRowCommit/{backend}", "items_per_second")
    single = med(f"BM_SingleRowCommit/{backend}", "items_per_second")
    # The exact names: "BM_WriteCost/sqlite/real_time" and "BM_WriteCost/sqlite/text_ahead/real_time".
    cost = med(f"BM_WriteCost/{backend}/real_time", "items_per_second")
    cost_ahead = med(f"BM_WriteCost/{backend}/text_ahead", "items_per_second")
    if raw:
        print(f"single-row commits/s, raw (the disk): {raw:.0f}   runs: {all_of(f'BM_RawSingleRowCommit/{backend}', 'items_per_second')}")
    if single:
        print(f"single-row commits/s, Store::insert_session: {single:.0f}   runs: {all_of(f'BM_SingleRowCommit/{backend}', 'items_per_second')}")
    if cost:
        print(f"writes/s with no commit wait (1000 per transaction, the writer's ceiling): {cost:.0f}"
              + (f"; with the record's text made ahead: {cost_ahead:.0f}" if cost_ahead else ""))
    for kind, key, label in (("BM_GroupCommit", "writers:", "writers"),
                             ("BM_GroupCommitEventLoop", "in_flight:", "in flight, event loop")):
        names = {r["run_name"] for r in runs(f"{kind}/{backend}/")}
        for b in sorted(names, key=lambda n: int(n.split(key)[1].split("/")[0])):
            rate = med(b, "items_per_second")
            w = b.split(key)[1].split("/")[0]
            base = raw or single
            ratio = rate / base if base else float("nan")
            vs_store = f", {rate / single:.1f}x Store's one-per-transaction" if single else ""
            print(f"group commit, {w:>4} {label}: {rate:.0f} writes/s = {ratio:.1f}x the raw single-row rate{vs_store}"
                  f" (mean batch {med(b, 'mean_batch'):.0f}, ack p50 {med(b, 'ack_p50_us') / 1000:.1f} ms, p99 {med(b, 'ack_p99_us') / 1000:.1f} ms;"
                  f" runs: {all_of(b, 'items_per_second')})"
                  + ("   goal >= 10x raw: " + ("met" if ratio >= 10 else "NOT met") if backend == "sqlite" else ""))
PY
