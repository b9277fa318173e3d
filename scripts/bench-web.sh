#!/usr/bin/env bash
# The browser app's first page in headless Chromium: one warm-up load, then 20 cold loads (a new browser context
# each: empty cache, no cookies) of / from a real `needlework serve` on a loopback port — Navigation Timing median
# and p95 of domInteractive, DOMContentLoaded end and load end, and the JavaScript fetched (web/tests/e2e/bench.mjs).
# Builds the RELEASE binary and the app first (preset `release`, build/release; ccache when installed), and
# prints the machine's load before and after, since two shared cores make the figures move with it.
# Figures: docs/performance.md ("Browser app"). Usage: scripts/bench-web.sh [loads]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset release -DNEEDLEWORK_WEB=ON "${launcher[@]}" >/dev/null
cmake --build --preset release -j "$(nproc)" --target needlework web
echo "bench-web: commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "bench-web: before: $(uptime)"
(
  cd web
  LOADS=${1:-20} NEEDLEWORK_BIN=../build/release/apps/needlework/needlework \
    NEEDLEWORK_WEB_ROOT=../build/release/web/dist NEEDLEWORK_DATA=../data node tests/e2e/bench.mjs
)
echo "bench-web: after: $(uptime)"
