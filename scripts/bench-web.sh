#!/usr/bin/env bash
# The browser app's first page in headless Chromium: 20 cold loads of / from a real `needlework serve` on a
# loopback port, Navigation Timing median and p95 (web/tests/e2e/bench.mjs). Builds the release binary and the
# app first (preset `release`). Figures: docs/performance.md. Usage: scripts/bench-web.sh [loads]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target needlework web
cd web
LOADS=${1:-20} NEEDLEWORK_BIN=../build/release/apps/needlework/needlework \
  NEEDLEWORK_WEB_ROOT=../build/release/web/dist NEEDLEWORK_DATA=../data node tests/e2e/bench.mjs
