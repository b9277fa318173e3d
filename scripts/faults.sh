#!/usr/bin/env bash
# The storage-fault tests at their full counts (issue #15, "Faults"; docs/reliability.md quotes the figures):
# faults_test (tests/durability/faults_test.cpp) with NEEDLEWORK_SERVE_KILLS SIGKILLs of `needlework serve`
# during writes from 8 connections per backend (the suite runs 6 on SQLite and 4 on PostgreSQL), then every
# other fault case once: a full disk (CLI and serve), SQLite busy / read-only / damaged, PostgreSQL stopped
# and restarted under load.
#
#   bash scripts/faults.sh [--build DIR] [--kills N] [--filter GTEST_FILTER] [--seed N]
#
# Needs root (the tests mount a small tmpfs) and PostgreSQL (a throwaway cluster is started here and removed
# on exit; the restart test makes one of its own). Bounded: each kill cycle waits at most 120 s for its
# acknowledgements; a cycle takes ~6 s on the dev (ASan) build. Prints each test's summary line and the time.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/dev
kills=50
filter='*'
seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "faults: unknown option $1" >&2; exit 2 ;;
  esac
done
test_bin=$build/tests/durability/faults_test
[ -x "$test_bin" ] || { echo "faults: no $test_bin (cmake --build --preset dev --target faults_test)" >&2; exit 2; }

pg_dir=""
cleanup() { [ -z "$pg_dir" ] || bash scripts/pg-cluster.sh stop "$pg_dir"; }
trap cleanup EXIT
eval "$(bash scripts/pg-cluster.sh start)"
pg_dir=$NEEDLEWORK_PG_DIR

export NEEDLEWORK_SERVE_KILLS=$kills
[ -z "$seed" ] || export NEEDLEWORK_CRASH_SEED=$seed
start=$(date +%s)
log=$(mktemp)
status=0
"$test_bin" --gtest_filter="$filter" > "$log" 2>&1 || status=$?
grep -E '^\[ *(RUN|OK|FAILED|PASSED|SKIPPED) *\]|SIGKILLs|round [0-9]|seed|Failure' "$log" || true
if [ "$status" -eq 0 ]; then rm -f "$log"; else echo "faults: the whole output is in $log"; fi
echo "faults: $(( $(date +%s) - start )) s, NEEDLEWORK_SERVE_KILLS=$kills, exit $status"
exit "$status"
