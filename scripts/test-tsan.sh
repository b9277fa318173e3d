#!/usr/bin/env bash
# ThreadSanitizer over the code that runs on several threads at once (issue #15; docs/reliability.md,
# "ThreadSanitizer"): builds the `tsan` preset (-fsanitize=thread, no ASan; build/tsan) for only the targets the
# subset needs, and runs under it
#   - the group committer's tests (tests/durability/group_commit_test.cpp: GroupCommitTest.*, many writer
#     threads against the writer thread and its acknowledging thread), on SQLite and — when NEEDLEWORK_TEST_PG
#     names a server — on PostgreSQL;
#   - the server's tests against a real `needlework serve` built with TSan (tests/server/api_test.cpp and
#     abuse_test.cpp: ApiFlow.*, ApiRequests.*, ApiScaleOut.*, AbuseTest.*): the HTTP threads, the read
#     connection pool, the group committer, the access log and the drain on SIGTERM, under real traffic.
# Left out: the crash test (it SIGKILLs a single-threaded writer: nothing for TSan to see, and it is the longest
# durability test), the in-process server tests (one thread) and everything single-threaded.
# Every process (the tests and the servers they start) writes its reports to <build>/tsan-reports/; the step
# fails when there is any, printing them. TSAN_TESTS overrides the ctest regex.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
cmake --preset tsan "$@" >/dev/null
cmake --build --preset tsan -j "$(nproc)" --target needlework durability_test crash_writer server_api_test \
  server_abuse_test
built=$(date +%s)

reports="$PWD/build/tsan/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
# second_deadlock_stack: both stacks of a lock-order inversion. halt_on_error=0: a report does not kill the server
# mid-test (the test would then fail for another reason); the reports decide.
export TSAN_OPTIONS="log_path=$reports/report second_deadlock_stack=1 halt_on_error=0 ${TSAN_OPTIONS:-}"
status=0
ctest --preset tsan -R "${TSAN_TESTS:-^(GroupCommitTest|ApiFlow|ApiRequests|ApiScaleOut|AbuseTest)\.}" || status=$?
done_at=$(date +%s)

if compgen -G "$reports/report.*" >/dev/null; then
  echo "tsan: ThreadSanitizer reports:" >&2
  cat "$reports"/report.* >&2
  status=1
fi
echo "tsan: build $(( (built - start) / 60 )) min $(( (built - start) % 60 )) s, tests $(( (done_at - built) / 60 )) min $(( (done_at - built) % 60 )) s"
exit "$status"
