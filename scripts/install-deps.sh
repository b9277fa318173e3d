#!/usr/bin/env bash
# Installs every Debian package Needlework builds, tests or benchmarks with. Idempotent: it only calls apt-get
# when a package is missing, so the README commands and .ci/run can call it every time.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libstb-dev python3-numpy
  libsqlitecpp-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
  libpqxx-dev postgresql python3
  librestinio-dev libasio-dev libhttp-parser-dev libcurl4-openssl-dev curl python3-aiosmtpd wrk nginx-light
  chromium
  # The fuzz build: libclang-rt-16-dev holds libFuzzer's and the sanitizers' runtimes (only a Recommends of
  # clang-16); its SQLiteCpp source comes with curl (scripts/fuzz.sh).
  clang-16 libclang-rt-16-dev libc++-16-dev libc++abi-16-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
