#!/usr/bin/env bash
# Builds the optimised `needlework` binary (preset `release`) and runs the main job: a guided demo of the
# clinical engine on the shipped examples. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target needlework
exec bash scripts/demo.sh build/release/apps/needlework/needlework
