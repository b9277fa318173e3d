#!/usr/bin/env bash
# Builds everything optimised (preset `release`: the `needlework` binary and the browser app) and starts the
# clinic server on an embedded SQLite database kept between runs under $NEEDLEWORK_HOME (default
# ~/.local/share/needlework). It prints the address to open and, on the first run, the admin's one-time
# password. Ctrl-C stops it cleanly. Installs missing Debian packages first. The terminal demo of the engines is
# scripts/demo.sh. Extra arguments go to `needlework serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target needlework web

home=${NEEDLEWORK_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/needlework}
mkdir -p "$home"
db="$home/clinic.db"
if [ -f "$db" ]; then
  echo "run: clinic database $db (log in with the password you chose; an admin can reset others')"
else
  echo "run: new clinic database $db — log in as admin with the one-time password printed below"
fi
exec build/release/apps/needlework/needlework --db "$db" serve "$@"
