#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (preset `dev`) and runs the whole test
# suite under ctest: units, knowledge packs, clinical cases, CLI end-to-end, physics and validation, benchmark
# smoke runs. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev
