#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang-16, libc++, ASan + UBSan; fuzz/) and runs each for a
# while, one after the other, on corpora seeded from the repository (fuzz/make-corpus.sh) with its dictionary
# (fuzz/dict/). Prints per target the executions, executions per second and coverage (libFuzzer's cov: and
# ft:, with -print_final_stats=1) and keeps every crashing input in build/fuzz/crashes/. Exits 1 when a target
# crashed, leaked or timed out.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   a long run: 3600 s a target unless given
#   scripts/fuzz.sh --ci [TARGET...]                    CI's bounded run: 25 s a target (scripts/test.sh)
#
# Reproduce a crash: build/fuzz/fuzz/<target> build/fuzz/crashes/<target>-crash-<hash>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=3600
if [ "${1:-}" = "--ci" ]; then
  seconds=25
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi

build=build/fuzz
started=$(date +%s)

# SQLiteCpp's source, for the store in this build (fuzz/CMakeLists.txt): Debian 12's version of it from
# Debian's archive, checked against the SHA-256 its source package (.dsc) lists, kept in build/fuzz-deps/.
sqlitecpp=build/fuzz-deps/SQLiteCpp-3.2.1
if [ ! -f "$sqlitecpp/src/Database.cpp" ]; then
  mkdir -p build/fuzz-deps
  tarball=build/fuzz-deps/sqlitecpp_3.2.1.orig.tar.gz
  curl -fsS --retry 3 -o "$tarball" http://deb.debian.org/debian/pool/main/s/sqlitecpp/sqlitecpp_3.2.1.orig.tar.gz
  echo "70c67d5680c47460f82a7abf8e6b0329bf2fb10795a982a6d8abc06adb42d693  $tarball" | sha256sum -c --quiet -
  tar -xzf "$tarball" -C build/fuzz-deps SQLiteCpp-3.2.1/src SQLiteCpp-3.2.1/include
  rm -f "$tarball"
fi

cmake --preset fuzz -DNEEDLEWORK_SQLITECPP_SOURCE="$(pwd)/$sqlitecpp" > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build --preset fuzz -j "$(nproc)"
built=$(date +%s)

mapfile -t all < "$build/fuzz-targets.txt"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

bash fuzz/make-corpus.sh "$build/corpus"
mkdir -p "$build/crashes" "$build/logs"

dict_of() {
  case "$1" in
    fuzz_pack_toml | fuzz_device_toml | fuzz_regions_toml | fuzz_resealing_toml) echo fuzz/dict/toml.dict ;;
    fuzz_config_toml) echo fuzz/dict/config.dict ;;
    fuzz_intake_json | fuzz_session_json | fuzz_followup_json | fuzz_simulate_json) echo fuzz/dict/json.dict ;;
    fuzz_request_text) echo fuzz/dict/request.dict ;;
    fuzz_photo_bytes) echo fuzz/dict/photo.dict ;;
    fuzz_field_text) echo fuzz/dict/fields.dict ;;
    fuzz_restore_sqlite) echo fuzz/dict/restore.dict ;;
    *) echo "" ;;
  esac
}

# A leak is a failure (detect_leaks=1); an input that takes over 10 s or 2 GB is one too.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=()
printf '%-22s %8s %12s %9s %8s %8s  %s\n' target seconds executions exec/s cov ft result
for t in "${targets[@]}"; do
  dict="$(dict_of "$t")"
  log="$build/logs/$t.log"
  status=0
  "$build/fuzz/$t" "$build/corpus/$t" ${dict:+-dict="$dict"} -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
    > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  ft=$({ grep -o 'ft: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2)
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status): $(grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" || true) — see $log"
    failed+=("$t")
  fi
  printf '%-22s %8s %12s %9s %8s %8s  %s\n' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
finished=$(date +%s)
echo "fuzz: build $((built - started)) s, runs $((finished - built)) s; crashes in $build/crashes/"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
