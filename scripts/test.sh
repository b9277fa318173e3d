#!/usr/bin/env bash
# Checks that the C++ sources are clang-formatted (scripts/check-format.sh), builds everything with
# AddressSanitizer + UndefinedBehaviorSanitizer (preset `dev`) and runs the whole test suite under ctest: units,
# knowledge packs, clinical cases, CLI end-to-end, physics and validation, the clinic store on SQLite and on
# PostgreSQL, benchmark smoke runs. Before ctest: a bounded fuzzing run (scripts/fuzz.sh --ci: every libFuzzer
# target of fuzz/ for 25 s) fails the run on a crash, and ThreadSanitizer runs over the group committer and the
# server (scripts/test-tsan.sh: its own build, build/tsan, of only the targets it needs). Installs missing Debian
# packages first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/check-format.sh
cmake --preset dev -DNEEDLEWORK_WEB=ON
cmake --build --preset dev -j "$(nproc)"
bash scripts/fuzz.sh --ci

# The PostgreSQL half of the store tests runs against a throwaway server of this run's own (a fresh cluster in
# a temp folder, scripts/pg-cluster.sh), removed on exit whatever happens; it prints nothing, so ctest's
# summary stays the last lines.
eval "$(bash scripts/pg-cluster.sh start)"
trap 'bash scripts/pg-cluster.sh stop "$NEEDLEWORK_PG_DIR" >/dev/null 2>&1 || true' EXIT
echo "test: PostgreSQL for the store tests at $NEEDLEWORK_TEST_PG"
bash scripts/test-tsan.sh
ctest --preset dev
